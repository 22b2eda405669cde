"""Genetic algorithm on vector genomes: truncation selection with elitism, uniform crossover and
Gaussian mutation; one generation per batch. Elites survive without being evaluated again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.selection import ranked
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


@register("ga")
@dataclass(kw_only=True)
class GA(Recipe):
    summary = "genetic algorithm: truncation selection, elitism, crossover, Gaussian mutation (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    population: int = param(32, low=1, help="children per generation (one batch)")
    truncation: float = param(0.25, low=0, low_open=True, high=1, help="fraction of the population that may parent")
    elites: int = param(1, low=0, help="best parents that survive into the next generation's selection")
    sigma: float = param(0.3, low=0, help="Gaussian mutation step")
    crossover: float = param(0.5, low=0, high=1, help="probability a child has two parents")
    init_sigma: float = param(1.0, low=0, help="spread of the first generation around SEED")

    seed: np.ndarray | None = state()
    bounds: Any = state()
    parents: list[Candidate] = state(factory=list)

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.population

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.parents:  # first generation: the seed and perturbations of it
            rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.init_sigma, rng, self.bounds)
            rows[0] = self.seed
            return [
                Candidate(genome=g, operator="seed" if i == 0 else "init") for i, g in enumerate(vec.to_genomes(rows))
            ]
        pool, k = self.parents, n
        first = rng.integers(0, len(pool), size=k)
        second = rng.integers(0, len(pool), size=k)
        cross = rng.random(k) < self.crossover
        a = vec.stack([pool[i].genome for i in first])
        b = vec.stack([pool[i].genome for i in second])
        mixed = np.where(cross[:, None], vec.uniform_crossover(a, b, rng), a)
        rows = vec.gaussian(mixed, self.sigma, rng, self.bounds)
        children = [
            Candidate(
                genome=g,
                parents=[pool[i].id] + ([pool[j].id] if c else []),
                operator="crossover+mutation" if c else "mutation",
            )
            for g, i, j, c in zip(vec.to_genomes(rows), first, second, cross)
        ]
        return children

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        """The next parents: the best of this generation plus the previous elites (not re-evaluated)."""
        keep = max(1, round(self.truncation * self.population))
        survivors = [c for c in candidates if c.ok] + self.parents[: self.elites]
        if survivors:
            self.parents = ranked(survivors)[:keep]
