"""Rastrigin: f(x) = 10 n + sum(x_i^2 - 10 cos(2 pi x_i)), many local minima, global 0 at 0."""

import numpy as np

from ._functions import make_vector_task, score_array, score_rows, score_vector

DESCRIPTION = "Rastrigin function on vectors (option dim, default 10); score = -f"
DESCRIPTOR_BOUNDS = [(-5.12, 5.12), (-5.12, 5.12)]
DESCRIPTOR_NAMES = ["first coordinate", "last coordinate"]


def f(x: np.ndarray):
    """f for one vector, or for each row of a 2-D array."""
    return 10.0 * x.shape[-1] + np.sum(x * x - 10.0 * np.cos(2.0 * np.pi * x), axis=-1)


def configure(dim: int = 10, start: float = 2.5) -> None:
    make_vector_task(globals(), dim, start, (-5.12, 5.12))


def evaluate(genome) -> dict:
    return score_vector(f, genome)


def evaluate_batch(genomes) -> list[dict]:
    return score_rows(f, genomes)


def evaluate_array(rows):
    return score_array(f, rows)


configure()
