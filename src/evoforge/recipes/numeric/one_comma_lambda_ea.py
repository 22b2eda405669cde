"""The self-adjusting (1,lambda)-EA: "Self-Adjusting Offspring Population Sizes Outperform Fixed
Parameters on the Cliff Function" / "The Self-Adjusting (1,lambda) EA is Efficient on OneMax"
(Hevia Fajardo & Sudholt), the algorithm studied on ADBV / SDBV in "Hardest Monotone Functions for
Evolutionary Algorithms". Comma selection: the best of lambda offspring always replaces the parent.
One-fifth-style success rule: on success (best offspring strictly better than the parent) lambda is
divided by F, otherwise multiplied by F^(1/s). Comparisons use the task's ``relative_fitness`` when it
has one. A batch is one generation of round(lambda) offspring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.bits.operators import bit_mutation, bits_of, compare


@register("one-comma-lambda-ea")
@dataclass(kw_only=True)
class OneCommaLambdaEA(Recipe):
    summary = "self-adjusting (1,lambda)-EA with the success rule (bit strings)"
    genomes = ("bits",)
    dedupe = False

    F: float = param(1.5, low=1, low_open=True, help="update strength: lambda / F on success")
    s: float = param(1.0, low=0, low_open=True, help="success ratio (s = 1: lambda grows by F on failure)")
    lam_max: int = param(1000, low=1, help="largest lambda (offspring per generation)")
    chi: float = param(1.0, low=0, help="mutation rate chi / n")
    init: str = param("random", choices=("random", "seed"), help="start from a random string or from SEED")

    x: np.ndarray | None = state()  # the parent
    fx: float = state(-np.inf)  # its score
    lam: float = state(1.0)  # the current lambda
    pending_parent: bool = state(True)  # the parent is still to be evaluated
    relative: Any = state()  # the task's relative_fitness, if it has one
    rows: np.ndarray | None = state()  # the offspring asked for
    history: list[float] = state(factory=list)  # lambda per generation

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.lam_max  # ask returns round(lambda) of these

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        seed = bits_of(task.seed)
        self.x = seed if self.init == "seed" else rng.integers(0, 2, seed.size).astype(np.int8)
        self.fx, self.lam, self.pending_parent = -np.inf, 1.0, True
        self.relative = task.relative_fitness
        self.rows = np.zeros((0, seed.size), dtype=np.int8)
        self.history = []

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.pending_parent:
            self.rows = self.x[None]
            return [Candidate(genome=self.x.tolist(), operator="init")]
        k = max(1, min(n, round(self.lam)))
        self.rows = bit_mutation(self.x, k, self.chi / self.x.size, rng)
        return [Candidate(genome=g, operator=f"bit-mutation(lambda={k})") for g in self.rows.tolist()]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        scores = np.array([c.fitness() for c in candidates])
        if self.pending_parent:
            self.fx, self.pending_parent = float(scores[0]), False
            return
        fx, fy = compare(self.relative, self.x, self.fx, self.rows, scores)
        best = int(np.argmax(fy))
        success = fy[best] > fx
        self.x, self.fx = self.rows[best].copy(), float(scores[best])  # comma: always replace
        self.lam = (
            max(1.0, self.lam / self.F) if success else min(float(self.lam_max), self.lam * self.F ** (1 / self.s))
        )
        self.history.append(self.lam)
