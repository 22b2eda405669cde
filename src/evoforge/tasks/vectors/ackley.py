"""Ackley: a nearly flat, many-dimpled surface with one deep funnel; minimum 0 at the origin."""

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option

from ._functions import BenchmarkFunction, score_vector


def f(x: np.ndarray) -> float:
    n = x.size
    return float(
        -20.0 * np.exp(-0.2 * np.sqrt(np.dot(x, x) / n)) - np.exp(np.sum(np.cos(2.0 * np.pi * x)) / n) + 20.0 + np.e
    )


@dataclass(kw_only=True)
class Ackley(BenchmarkFunction):
    description: str = "Ackley function on vectors (option dim, default 10); score = -f"
    dim: int = option(10, help="dimension")
    start: float = option(15.0, help="every coordinate of the initial vector")
    bounds = (-32.768, 32.768)
    descriptor_bounds = ((-32.768, 32.768), (-32.768, 32.768))

    def evaluate(self, genome) -> dict:
        return score_vector(f, genome)


TASK = Ackley()
