"""Operators on bit strings (arrays of 0/1): standard bit mutation, reading a genome as bits, and
comparing offspring with their parent on one scale (relative fitness for dynamic functions)."""

from __future__ import annotations

import numpy as np


def bit_mutation(parent: np.ndarray, lam: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """``lam`` copies of ``parent`` with each bit flipped with probability ``rate``."""
    flips = rng.random((lam, parent.size)) < rate
    return np.where(flips, 1 - parent, parent).astype(np.int8)


def compare(task_fn, parent: np.ndarray, parent_score: float, rows: np.ndarray, scores: np.ndarray):
    """Fitness of ``parent`` and of each row on one scale (higher is better)."""
    if task_fn is None:
        return parent_score, scores
    values = task_fn(parent, np.vstack([parent[None], rows]))
    return values[0], values[1:]


def bits_of(genome) -> np.ndarray:
    return (np.asarray(genome, dtype=float) > 0.5).astype(np.int8)
