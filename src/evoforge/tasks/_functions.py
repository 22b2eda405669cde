"""Shared set-up of the classic numeric benchmark tasks (vector genomes, maximise ``-f(x)``)."""
from __future__ import annotations

from typing import Callable

import numpy as np


def make_vector_task(namespace: dict, dim: int, start: float, bounds: tuple[float, float]) -> None:
    """Set ``SEED``, ``BOUNDS`` and ``DIM`` in a task module's namespace for dimension ``dim``."""
    if int(dim) < 1:
        raise ValueError("dim must be >= 1")
    namespace["DIM"] = int(dim)
    namespace["SEED"] = [float(start)] * int(dim)
    namespace["BOUNDS"] = bounds


def score_vector(fn: Callable[[np.ndarray], float], genome) -> dict:
    x = np.asarray(genome, dtype=float)
    value = float(fn(x))
    return {"score": -value, "metrics": {"f": value}, "descriptors": [float(x[0]), float(x[-1])]}
