"""OneMax: the number of ones in a bit string; the classic easy benchmark of (1+1)-type EAs."""

from dataclasses import dataclass

import numpy as np

from evoforge.genomes.bits.task import BitTask, bits


@dataclass(kw_only=True)
class OneMax(BitTask):
    description: str = "OneMax on bit strings (option n, default 100): score = number of ones"

    def evaluate(self, genome) -> dict:
        x = bits(genome)
        ones = int(x.sum())
        return {"score": float(ones), "metrics": {"ones": ones, "optimum": ones == x.size}}

    def relative_fitness(self, reference, rows) -> np.ndarray:
        return (np.atleast_2d(rows) > 0.5).sum(axis=1).astype(float)


TASK = OneMax()
