"""Shared parts of the bit-string tasks ("Hardest Monotone Functions for Evolutionary Algorithms",
Kaufmann, Larcher, Lengler & Sieberling, 2024). Genomes are lists of 0/1; any number is read as the
bit ``x > 0.5`` so that vector recipes (random search, a GA) run on these tasks too.

A *dynamic* monotone function changes with the current search point: it is only defined relative to a
reference string. Such a task's ``evaluate`` scores progress (the number of ones; the optimum is all
ones) and the task exposes ``relative_fitness(reference, rows)``: comparable values (higher is better)
of each row of ``rows`` under the function as seen from ``reference``, which the bit-string recipes use
for selection. Static functions ignore the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option


@dataclass(kw_only=True)
class BitTask(TaskValue):
    """A task over bit strings of length ``n`` (an option), starting from all zeros. A subclass defines
    ``evaluate`` and, for selection, ``relative_fitness``."""

    kind: ClassVar[str] = "bits"
    n: int = option(100, help="string length")

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError("n must be >= 1")

    def initial(self) -> list[int]:
        return [0] * self.n


def bits(genome) -> np.ndarray:
    return (np.asarray(genome, dtype=float) > 0.5).astype(np.int8)


def lexicographic_rank(rows: np.ndarray) -> np.ndarray:
    """Rank of each row in lexicographic order (first column most significant); equal rows tie. This
    is exact BinVal for any length, where floating-point weights 2^(n-i) would round."""
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(float)


def binval_order(reference: np.ndarray, rows: np.ndarray, zeros_first: bool) -> np.ndarray:
    """BinVal with the reference's zero positions given the highest weights (``zeros_first``) or its
    one positions (otherwise); ties inside each group keep index order."""
    ref = np.asarray(reference).astype(bool)
    first, second = np.flatnonzero(~ref), np.flatnonzero(ref)
    perm = np.concatenate([first, second] if zeros_first else [second, first])
    return lexicographic_rank(np.atleast_2d(rows)[:, perm])
