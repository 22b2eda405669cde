"""Rosenbrock: f(x) = sum(100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2), a curved valley, minimum 0 at 1."""

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option

from ._functions import BenchmarkFunction, score_vector


def f(x: np.ndarray) -> float:
    if x.size < 2:
        return float((1.0 - x[0]) ** 2)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


@dataclass(kw_only=True)
class Rosenbrock(BenchmarkFunction):
    description: str = "Rosenbrock valley on vectors (option dim, default 10); score = -f"
    dim: int = option(10, help="dimension")
    start: float = option(-1.0, help="every coordinate of the initial vector")
    bounds = (-5.0, 5.0)
    descriptor_bounds = ((-5.0, 5.0), (-5.0, 5.0))

    def evaluate(self, genome) -> dict:
        return score_vector(f, genome)


TASK = Rosenbrock()
