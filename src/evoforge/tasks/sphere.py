"""Sphere: f(x) = sum(x_i^2), minimum 0 at the origin. Score is -f."""
import numpy as np

from ._functions import make_vector_task, score_vector

DESCRIPTION = "sphere function sum(x^2) on vectors (option dim, default 10); score = -f"
DESCRIPTOR_BOUNDS = [(-5.12, 5.12), (-5.12, 5.12)]


def f(x: np.ndarray) -> float:
    return float(np.dot(x, x))


def configure(dim: int = 10, start: float = 3.0) -> None:
    make_vector_task(globals(), dim, start, (-5.12, 5.12))


def evaluate(genome) -> dict:
    return score_vector(f, genome)


configure()
