"""Rosenbrock: f(x) = sum(100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2), a curved valley, minimum 0 at 1."""

import numpy as np

from ._functions import make_vector_task, score_vector

DESCRIPTION = "Rosenbrock valley on vectors (option dim, default 10); score = -f"
DESCRIPTOR_BOUNDS = [(-5.0, 5.0), (-5.0, 5.0)]
DESCRIPTOR_NAMES = ["first coordinate", "last coordinate"]


def f(x: np.ndarray) -> float:
    if x.size < 2:
        return float((1.0 - x[0]) ** 2)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def configure(dim: int = 10, start: float = -1.0) -> None:
    make_vector_task(globals(), dim, start, (-5.0, 5.0))


def evaluate(genome) -> dict:
    return score_vector(f, genome)


configure()
