"""Quality, diversity and complexity of a generated dataset, the three axes of "Surveying the Effects of
Quality, Diversity, and Complexity in Synthetic Data From Large Language Models" (Havrilla et al., 2024).
One line each:

- **quality**: the mean of a caller's score function over the samples (a verifier, a reward model, a
  judge: the survey's quality is whatever the task calls correct or good);
- **diversity** of vectors: the mean pairwise distance (Euclidean or cosine; texts through their
  embeddings): 0 for identical samples (the survey's embedding-distance measures);
- **diversity** of texts: the mean pairwise Jaccard distance between the samples' word n-gram sets, 0 for
  identical texts, and **distinct-n**, distinct n-grams over all n-grams ("A Diversity-Promoting
  Objective Function for Neural Conversation Models", Li et al., 2016; both in the survey);
- **complexity** of texts: per sample, its deflate-compressed size over its size (a compression estimate
  of its information content: repetitive text compresses) or the Shannon entropy of its words in bits
  per word, averaged over the samples (the survey's model-free complexity measures)."""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ._arrays import points, squared_distances, tolerance


def quality(samples: Iterable[Any], score: Callable[[Any], float]) -> float:
    """The mean of ``score(sample)`` over ``samples`` (ValueError when there are none)."""
    values = [float(score(s)) for s in samples]
    if not values:
        raise ValueError("quality: no samples")
    return float(np.mean(values))


def diversity(vectors: Any, metric: str = "euclidean") -> float:
    """Mean pairwise distance between the vectors (rows), ``euclidean`` or ``cosine``; 0 for one vector."""
    if metric not in ("euclidean", "cosine"):
        raise ValueError(f"diversity: metric must be 'euclidean' or 'cosine', got {metric!r}")
    x = points("vectors", vectors)
    n = len(x)
    if n < 2:
        return 0.0
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1)
        if (norms == 0).any():
            raise ValueError("diversity: a zero vector has no cosine distance")
        unit = x / norms[:, None]
        total = float(n * n - np.square(unit.sum(axis=0)).sum())  # sum over ordered pairs of 1 - cos
        return total / (n * (n - 1))
    tol, total = tolerance(x), 0.0
    for _, d2 in squared_distances(x, x):
        total += float(np.sqrt(np.where(d2 <= tol, 0.0, d2)).sum())  # the diagonal and equal rows: exactly 0
    return total / (n * (n - 1))


def text_diversity(texts: Sequence[str], n: int = 2) -> float:
    """Mean pairwise Jaccard distance between the texts' word n-gram sets (0: all identical)."""
    grams = [set(_ngrams(t, n)) for t in _texts(texts)]
    if len(grams) < 2:
        return 0.0
    total, pairs = 0.0, 0
    for i in range(len(grams)):
        for j in range(i + 1, len(grams)):
            union = len(grams[i] | grams[j])
            total += 1.0 - (len(grams[i] & grams[j]) / union if union else 1.0)
            pairs += 1
    return total / pairs


def distinct_n(texts: Sequence[str], n: int = 2) -> float:
    """Distinct word n-grams over all word n-grams of the texts (0 when they have none)."""
    counts: Counter[tuple[str, ...]] = Counter()
    for t in _texts(texts):
        counts.update(_ngrams(t, n))
    total = sum(counts.values())
    return len(counts) / total if total else 0.0


def compression_complexity(texts: Sequence[str]) -> float:
    """Mean over the texts of deflate-compressed bytes over UTF-8 bytes (empty texts are skipped)."""
    ratios = []
    for t in _texts(texts):
        raw = t.encode()
        if raw:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no header to pay for
            ratios.append(len(packer.compress(raw) + packer.flush()) / len(raw))
    return float(np.mean(ratios)) if ratios else 0.0


def entropy_complexity(texts: Sequence[str]) -> float:
    """Mean over the texts of the Shannon entropy of each text's words, in bits per word (0: one word
    repeated)."""
    values = []
    for t in _texts(texts):
        counts = Counter(t.split())
        total = sum(counts.values())
        if total:
            values.append(-sum(c / total * math.log2(c / total) for c in counts.values()))
    return float(np.mean(values)) if values else 0.0


def _ngrams(text: str, n: int) -> list[tuple[str, ...]]:
    words = text.split()
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise ValueError("expected a sequence of texts, got one string")
    out = list(texts)
    bad = next((t for t in out if not isinstance(t, str)), None)
    if bad is not None:
        raise ValueError(f"expected texts, got a {type(bad).__name__}")
    return out
