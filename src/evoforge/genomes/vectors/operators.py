"""Operators on vector genomes (lists of floats). Vectorised with numpy; bounds clip when given."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def as_vector(genome: object, who: str) -> np.ndarray:
    """Validate a vector genome, or explain which recipe needs what."""
    from evoforge.core.errors import TaskError

    try:
        vec = np.asarray(genome, dtype=float)
    except (TypeError, ValueError):
        raise TaskError(
            f"recipe {who!r} needs a vector genome (a list of numbers); the task's SEED is a {type(genome).__name__}"
        ) from None
    if vec.ndim != 1 or vec.size == 0:
        raise TaskError(f"recipe {who!r} needs a non-empty 1-D vector genome; SEED has shape {vec.shape}")
    return vec


def clip(x: np.ndarray, bounds: tuple[float, float] | None) -> np.ndarray:
    return np.clip(x, bounds[0], bounds[1]) if bounds is not None else x


def gaussian(
    parents: np.ndarray, sigma: float, rng: np.random.Generator, bounds: tuple[float, float] | None = None
) -> np.ndarray:
    """Add N(0, sigma^2) noise to each row."""
    return clip(parents + sigma * rng.standard_normal(parents.shape), bounds)


def uniform_crossover(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each gene from ``a`` or ``b`` with probability 1/2 (row-wise for 2-D inputs)."""
    return np.where(rng.random(a.shape) < 0.5, a, b)


def to_genomes(rows: np.ndarray) -> list[list[float]]:
    return np.asarray(rows, dtype=float).tolist()


def stack(genomes: Sequence[object]) -> np.ndarray:
    return np.asarray(genomes, dtype=float)
