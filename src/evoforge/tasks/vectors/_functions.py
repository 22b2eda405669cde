"""Shared set-up of the classic numeric benchmark tasks (vector genomes, maximise ``-f(x)``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def make_vector_task(namespace: dict, dim: int, start: float, bounds: tuple[float, float]) -> None:
    """Set ``SEED``, ``BOUNDS`` and ``DIM`` in a task module's namespace for dimension ``dim``."""
    if int(dim) < 1:
        raise ValueError("dim must be >= 1")
    namespace["DIM"] = int(dim)
    namespace["SEED"] = [float(start)] * int(dim)
    namespace["BOUNDS"] = bounds
    namespace["DESCRIPTOR_NAMES"] = ["x[0] (first coordinate)", f"x[{int(dim) - 1}] (last coordinate)"]


def score_vector(fn: Callable[[np.ndarray], float], genome) -> dict:
    x = np.asarray(genome, dtype=float)
    value = float(fn(x))
    return {"score": -value, "metrics": {"f": value}, "descriptors": [float(x[0]), float(x[-1])]}


def score_rows(fn: Callable[[np.ndarray], np.ndarray], genomes) -> list[dict]:
    """``evaluate_batch`` for functions vectorised over rows (``fn`` reduces the last axis)."""
    x = np.asarray(genomes, dtype=float)
    values = fn(x).tolist()
    return [
        {"score": -v, "metrics": {"f": v}, "descriptors": [a, b]}
        for v, a, b in zip(values, x[:, 0].tolist(), x[:, -1].tolist())
    ]


def score_array(fn: Callable[[np.ndarray], np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``evaluate_array`` (the engine's array path): scores ``-fn`` and descriptors (first, last coordinate)."""
    x = np.asarray(rows, dtype=float)
    return -fn(x), x[:, [0, -1]]
