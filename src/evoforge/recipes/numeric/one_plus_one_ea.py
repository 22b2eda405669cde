"""The (1+1)-EA (and its (1+lambda) form) on bit strings, the reference algorithm of runtime analysis
("On the analysis of the (1+1) evolutionary algorithm", Droste, Jansen & Wegener, 2002; the dynamic
monotone functions of "Hardest Monotone Functions for Evolutionary Algorithms"). Each batch is
``lam`` offspring by standard bit mutation (rate ``chi`` / n); the best replaces the parent unless worse.
Comparisons use the task's ``relative_fitness(parent, rows)`` when it has one (dynamic functions are
only defined relative to the current point), else the score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.bits.operators import bit_mutation, bits_of, compare


@register("one-plus-one-ea")
@dataclass(kw_only=True)
class OnePlusOneEA(Recipe):
    summary = "(1+1)-EA / (1+lambda)-EA with standard bit mutation (bit strings)"
    genomes = ("bits",)
    dedupe = False

    lam: int = param(1, low=1, help="offspring per generation")
    chi: float = param(1.0, low=0, help="mutation rate chi / n")
    init: str = param("random", choices=("random", "seed"), help="start from a random string or from SEED")

    x: np.ndarray | None = state()  # the parent
    fx: float = state(-np.inf)  # its score (unknown until the parent has been evaluated)
    relative: Any = state()  # the task's relative_fitness, if it has one
    rows: np.ndarray | None = state()  # the offspring asked for
    pending_parent: bool = state(True)  # the parent is still to be evaluated

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.lam

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        seed = bits_of(task.seed)
        self.x = seed if self.init == "seed" else rng.integers(0, 2, seed.size).astype(np.int8)
        self.fx = -np.inf
        self.relative = task.relative_fitness
        self.rows = np.zeros((0, seed.size), dtype=np.int8)
        self.pending_parent = True

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.pending_parent:
            self.rows = self.x[None]
            return [Candidate(genome=self.x.tolist(), operator="init")]
        self.rows = bit_mutation(self.x, min(n, self.lam), self.chi / self.x.size, rng)
        return [Candidate(genome=g, operator="bit-mutation") for g in self.rows.tolist()]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        scores = np.array([c.fitness() for c in candidates])
        if self.pending_parent:
            self.fx, self.pending_parent = float(scores[0]), False
            return
        fx, fy = compare(self.relative, self.x, self.fx, self.rows, scores)
        best = int(np.argmax(fy))
        if np.isfinite(scores[best]) and fy[best] >= fx:
            self.x, self.fx = self.rows[best].copy(), float(scores[best])
