"""BinVal: sum_i 2^(n-i) x_i, the bit string read as a binary number (the most skewed linear function).
Score is the value scaled to [0, 1]; selection uses the exact lexicographic order (``relative_fitness``)."""

from dataclasses import dataclass

import numpy as np

from evoforge.genomes.bits.task import BitTask, bits, lexicographic_rank


@dataclass(kw_only=True)
class BinVal(BitTask):
    description: str = "BinVal on bit strings (option n, default 100): the string read as a binary number"

    def evaluate(self, genome) -> dict:
        x = bits(genome)
        value = float(np.dot(x, 0.5 ** np.arange(1, x.size + 1)) / (1.0 - 0.5**x.size))
        ones = int(x.sum())
        return {"score": value, "metrics": {"ones": ones, "optimum": ones == x.size}}

    def relative_fitness(self, reference, rows) -> np.ndarray:
        return lexicographic_rank((np.atleast_2d(rows) > 0.5).astype(np.int8))


TASK = BinVal()
