"""Ackley: a nearly flat, many-dimpled surface with one deep funnel; minimum 0 at the origin."""

import numpy as np

from ._functions import make_vector_task, score_vector

DESCRIPTION = "Ackley function on vectors (option dim, default 10); score = -f"
DESCRIPTOR_BOUNDS = [(-32.768, 32.768), (-32.768, 32.768)]
DESCRIPTOR_NAMES = ["first coordinate", "last coordinate"]


def f(x: np.ndarray) -> float:
    n = x.size
    return float(
        -20.0 * np.exp(-0.2 * np.sqrt(np.dot(x, x) / n)) - np.exp(np.sum(np.cos(2.0 * np.pi * x)) / n) + 20.0 + np.e
    )


def configure(dim: int = 10, start: float = 15.0) -> None:
    make_vector_task(globals(), dim, start, (-32.768, 32.768))


def evaluate(genome) -> dict:
    return score_vector(f, genome)


configure()
