"""Himmelblau: (x^2 + y - 11)^2 + (x + y^2 - 7)^2 with four global minima (value 0). For more than two
dimensions the function is summed over consecutive pairs (x_0, x_1), (x_2, x_3), ... (an odd last
coordinate pairs with x_0), so ``dim=2k`` has 4^k global minima: a multimodal test for diversity."""

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option

from ._functions import BenchmarkFunction, score_vector


def f(x: np.ndarray) -> float:
    if x.size % 2:
        x = np.append(x, x[0])
    a, b = x[0::2], x[1::2]
    return float(np.sum((a * a + b - 11.0) ** 2 + (a + b * b - 7.0) ** 2))


@dataclass(kw_only=True)
class Himmelblau(BenchmarkFunction):
    description: str = "Himmelblau's four-minima function, summed over coordinate pairs (option dim, default 2)"
    dim: int = option(2, help="dimension")
    start: float = option(0.0, help="every coordinate of the initial vector")
    bounds = (-6.0, 6.0)
    descriptor_bounds = ((-6.0, 6.0), (-6.0, 6.0))

    def evaluate(self, genome) -> dict:
        return score_vector(f, genome)


TASK = Himmelblau()
