"""Rastrigin: f(x) = 10 n + sum(x_i^2 - 10 cos(2 pi x_i)), many local minima, global 0 at 0."""

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option

from ._functions import BenchmarkFunction, score_array, score_rows, score_vector


def f(x: np.ndarray):
    """f for one vector, or for each row of a 2-D array."""
    return 10.0 * x.shape[-1] + np.sum(x * x - 10.0 * np.cos(2.0 * np.pi * x), axis=-1)


@dataclass(kw_only=True)
class Rastrigin(BenchmarkFunction):
    description: str = "Rastrigin function on vectors (option dim, default 10); score = -f"
    dim: int = option(10, help="dimension")
    start: float = option(2.5, help="every coordinate of the initial vector")
    bounds = (-5.12, 5.12)
    descriptor_bounds = ((-5.12, 5.12), (-5.12, 5.12))

    def evaluate(self, genome) -> dict:
        return score_vector(f, genome)

    def evaluate_batch(self, genomes) -> list[dict]:
        return score_rows(f, genomes)

    def evaluate_array(self, rows):
        return score_array(f, rows)


TASK = Rastrigin()
