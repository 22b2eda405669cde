"""BinVal: sum_i 2^(n-i) x_i, the bit string read as a binary number (the most skewed linear function).
Score is the value scaled to [0, 1]; selection uses the exact lexicographic order (``relative_fitness``)."""

import numpy as np

from evoforge.genomes.bits.task import bits, lexicographic_rank, set_length

DESCRIPTION = "BinVal on bit strings (option n, default 100): the string read as a binary number"


def configure(n: int = 100) -> None:
    set_length(globals(), n)


def evaluate(genome) -> dict:
    x = bits(genome)
    value = float(np.dot(x, 0.5 ** np.arange(1, x.size + 1)) / (1.0 - 0.5**x.size))
    ones = int(x.sum())
    return {"score": value, "metrics": {"ones": ones, "optimum": ones == x.size}}


def relative_fitness(reference, rows) -> np.ndarray:
    return lexicographic_rank((np.atleast_2d(rows) > 0.5).astype(np.int8))


configure()
