"""Precision and recall of generated samples against real data by k-NN manifold estimates
("Improved Precision and Recall Metric for Assessing Generative Models", Kynkäänniemi et al., 2019).

Each point of a set spans a ball whose radius is the distance to its k-th nearest neighbour in the same
set; the union of the balls estimates the set's manifold. **Precision** (quality) is the share of
generated samples inside the real manifold; **recall** (diversity, coverage) the share of real samples
inside the generated manifold. Both are 1 for a sample as spread as the real data and on it; a generator
stuck in one corner of the data keeps its precision and loses recall. The papers on self-consuming loops
("Self-Consuming Generative Models Go MAD", Alemohammad et al., 2024) track exactly these two."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._arrays import points, squared_distances, tolerance


def knn_radii(vectors: Any, k: int = 3) -> np.ndarray:
    """Distance from each vector to its k-th nearest neighbour among the others (duplicates count)."""
    _check_k(k)
    x = points("vectors", vectors, at_least=k + 1)
    out = np.empty(len(x))
    for start, d2 in squared_distances(x, x):
        out[start : start + len(d2)] = np.partition(d2, k, axis=1)[:, k]  # index 0: the vector itself
    return np.sqrt(out)


def precision_recall(real: Any, generated: Any, k: int = 3) -> tuple[float, float]:
    """``(precision, recall)`` of ``generated`` against ``real`` ((n, d) arrays), by k-NN manifolds."""
    _check_k(k)
    r = points("real", real, at_least=k + 1)
    g = points("generated", generated, at_least=k + 1)
    if r.shape[1] != g.shape[1]:
        raise ValueError(f"real vectors have {r.shape[1]} dimensions, generated ones {g.shape[1]}")
    return _inside(g, r, knn_radii(r, k)), _inside(r, g, knn_radii(g, k))


def text_precision_recall(
    real: Sequence[str], generated: Sequence[str], embed: Callable[[list[str]], Any], k: int = 3
) -> tuple[float, float]:
    """Precision and recall of generated texts against real ones, over the vectors ``embed(texts)``
    returns (an (n, d) array; e.g. :mod:`evoforge.llm`'s embeddings)."""
    return precision_recall(embed(list(real)), embed(list(generated)), k)


def _inside(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> float:
    """The share of ``queries`` inside at least one ball (``centres``, ``radii``)."""
    r2, tol = radii**2, tolerance(queries, centres)
    hit = np.zeros(len(queries), dtype=bool)
    for start, d2 in squared_distances(queries, centres):
        hit[start : start + len(d2)] = (d2 <= r2[None, :] + tol).any(axis=1)
    return float(hit.mean())


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
