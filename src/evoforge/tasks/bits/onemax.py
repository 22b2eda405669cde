"""OneMax: the number of ones in a bit string; the classic easy benchmark of (1+1)-type EAs."""

import numpy as np

from evoforge.genomes.bits.task import bits, set_length

DESCRIPTION = "OneMax on bit strings (option n, default 100): score = number of ones"


def configure(n: int = 100) -> None:
    set_length(globals(), n)


def evaluate(genome) -> dict:
    x = bits(genome)
    ones = int(x.sum())
    return {"score": float(ones), "metrics": {"ones": ones, "optimum": ones == x.size}}


def relative_fitness(reference, rows) -> np.ndarray:
    return (np.atleast_2d(rows) > 0.5).sum(axis=1).astype(float)


configure()
