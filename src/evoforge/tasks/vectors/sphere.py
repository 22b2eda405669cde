"""Sphere: f(x) = sum(x_i^2), minimum 0 at the origin. Score is -f."""

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option

from ._functions import BenchmarkFunction, score_array, score_rows, score_vector


def f(x: np.ndarray):
    """f for one vector, or for each row of a 2-D array."""
    return np.sum(x * x, axis=-1)


@dataclass(kw_only=True)
class Sphere(BenchmarkFunction):
    description: str = "sphere function sum(x^2) on vectors (option dim, default 10); score = -f"
    dim: int = option(10, help="dimension")
    start: float = option(3.0, help="every coordinate of the initial vector")
    bounds = (-5.12, 5.12)
    descriptor_bounds = ((-5.12, 5.12), (-5.12, 5.12))

    def evaluate(self, genome) -> dict:
        return score_vector(f, genome)

    def evaluate_batch(self, genomes) -> list[dict]:
        return score_rows(f, genomes)

    def evaluate_array(self, rows):
        return score_array(f, rows)


TASK = Sphere()
