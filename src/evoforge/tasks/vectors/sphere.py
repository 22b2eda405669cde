"""Sphere: f(x) = sum(x_i^2), minimum 0 at the origin. Score is -f."""

import numpy as np

from ._functions import make_vector_task, score_array, score_rows, score_vector

DESCRIPTION = "sphere function sum(x^2) on vectors (option dim, default 10); score = -f"
DESCRIPTOR_BOUNDS = [(-5.12, 5.12), (-5.12, 5.12)]
DESCRIPTOR_NAMES = ["first coordinate", "last coordinate"]


def f(x: np.ndarray):
    """f for one vector, or for each row of a 2-D array."""
    return np.sum(x * x, axis=-1)


def configure(dim: int = 10, start: float = 3.0) -> None:
    make_vector_task(globals(), dim, start, (-5.12, 5.12))


def evaluate(genome) -> dict:
    return score_vector(f, genome)


def evaluate_batch(genomes) -> list[dict]:
    return score_rows(f, genomes)


def evaluate_array(rows):
    return score_array(f, rows)


configure()
