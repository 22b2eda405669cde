"""Shared set-up of the classic numeric benchmark tasks (vector genomes, maximise ``-f(x)``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option


@dataclass(kw_only=True)
class BenchmarkFunction(TaskValue):
    """A benchmark function on ``dim``-dimensional vectors, starting from ``[start] * dim``; descriptors
    are the first and last coordinates. A subclass sets ``bounds`` and ``descriptor_bounds`` and
    defines ``evaluate``."""

    kind: ClassVar[str] = "vector"
    dim: int = option(10, help="dimension")
    start: float = option(0.0, help="every coordinate of the initial vector")

    def __post_init__(self) -> None:
        if self.dim < 1:
            raise ValueError("dim must be >= 1")

    def initial(self) -> list[float]:
        return [float(self.start)] * self.dim

    @property
    def descriptor_names(self) -> list[str]:  # type: ignore[override]
        return ["x[0] (first coordinate)", f"x[{self.dim - 1}] (last coordinate)"]


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
