"""ADBV, Adversarial Dynamic BinVal (Kaufmann, Larcher, Lengler & Zou): BinVal whose highest weights go
to the positions that are zero in the current search point, so any offspring that fixes one zero is
preferred however many ones it destroys. Conjectured hardest dynamic monotone function for the
self-adjusting (1,lambda)-EA. Score = number of ones; selection uses ``relative_fitness``."""

from dataclasses import dataclass

import numpy as np

from evoforge.genomes.bits.task import BitTask, binval_order, bits


@dataclass(kw_only=True)
class ADBV(BitTask):
    description: str = "Adversarial Dynamic BinVal on bit strings (option n, default 100); score = ones"

    def evaluate(self, genome) -> dict:
        ones = int(bits(genome).sum())
        return {"score": float(ones), "metrics": {"ones": ones, "optimum": ones == len(genome)}}

    def relative_fitness(self, reference, rows) -> np.ndarray:
        return binval_order(bits(reference), (np.atleast_2d(rows) > 0.5).astype(np.int8), zeros_first=True)


TASK = ADBV()
