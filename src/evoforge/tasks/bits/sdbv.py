"""SDBV, Switching Dynamic BinVal ("Hardest Monotone Functions for Evolutionary Algorithms", Kaufmann,
Larcher, Lengler & Sieberling, 2024): equals ADBV while the current search point has fewer than n/2
zeros; with n/2 or more zeros it switches to giving the highest weights to the current one positions
(so an offspring that loses any one is rejected), our reading of the construction. Drift-minimising
for the (1+1)-EA. Score = number of ones; selection uses ``relative_fitness``."""

from dataclasses import dataclass

import numpy as np

from evoforge.genomes.bits.task import BitTask, binval_order, bits


@dataclass(kw_only=True)
class SDBV(BitTask):
    description: str = "Switching Dynamic BinVal on bit strings (option n, default 100); score = ones"

    def evaluate(self, genome) -> dict:
        ones = int(bits(genome).sum())
        return {"score": float(ones), "metrics": {"ones": ones, "optimum": ones == len(genome)}}

    def relative_fitness(self, reference, rows) -> np.ndarray:
        ref = bits(reference)
        zeros = ref.size - int(ref.sum())
        return binval_order(ref, (np.atleast_2d(rows) > 0.5).astype(np.int8), zeros_first=zeros < ref.size / 2)


TASK = SDBV()
