"""ADBV, Adversarial Dynamic BinVal (Kaufmann, Larcher, Lengler & Zou): BinVal whose highest weights go
to the positions that are zero in the current search point, so any offspring that fixes one zero is
preferred however many ones it destroys. Conjectured hardest dynamic monotone function for the
self-adjusting (1,lambda)-EA. Score = number of ones; selection uses ``relative_fitness``."""

import numpy as np

from evoforge.genomes.bits.task import binval_order, bits, set_length

DESCRIPTION = "Adversarial Dynamic BinVal on bit strings (option n, default 100); score = ones"


def configure(n: int = 100) -> None:
    set_length(globals(), n)


def evaluate(genome) -> dict:
    ones = int(bits(genome).sum())
    return {"score": float(ones), "metrics": {"ones": ones, "optimum": ones == len(genome)}}


def relative_fitness(reference, rows) -> np.ndarray:
    return binval_order(bits(reference), (np.atleast_2d(rows) > 0.5).astype(np.int8), zeros_first=True)


configure()
