"""Regularized (aging) evolution, from "Regularized Evolution for Image Classifier Architecture Search"
(Real et al., 2019): tournament selection from a FIFO population; each child replaces the oldest
member, not the worst. Steady state; a batch is ``batch_size`` children bred from the same population.
Works on vector genomes here; other genome kinds plug in their own ``mutate``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.archives import AgingPopulation
from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


@register("regularized-evolution")
@dataclass(kw_only=True)
class RegularizedEvolution(Recipe):
    summary = "aging evolution: tournament parents, the oldest member dies (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    population: int = param(50, low=1, help="P: size of the FIFO population")
    sample_size: int = param(10, low=1, help="S: tournament size")
    sigma: float = param(0.3, low=0, help="Gaussian mutation step")
    init_sigma: float = param(1.0, low=0, help="spread of the initial population around SEED")
    batch_size: int = param(16, low=1, help="children bred per batch (evaluated in parallel)")

    seed: np.ndarray | None = state()
    bounds: Any = state()
    pop: AgingPopulation | None = state()
    initialised: int = state(0)  # random members proposed so far

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds
        self.pop = AgingPopulation(self.population)
        self.initialised = 0

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.initialised < self.population:  # fill the population first
            k = min(n, self.population - self.initialised)
            rows = vec.gaussian(np.tile(self.seed, (k, 1)), self.init_sigma, rng, self.bounds)
            if self.initialised == 0:
                rows[0] = self.seed
            self.initialised += k
            first = self.initialised == k  # this batch starts the population: its row 0 is SEED
            return [
                Candidate(genome=g, operator="seed" if first and i == 0 else "init")
                for i, g in enumerate(vec.to_genomes(rows))
            ]
        parents = [self.pop.tournament(rng, self.sample_size) for _ in range(n)]
        rows = vec.gaussian(vec.stack([p.genome for p in parents]), self.sigma, rng, self.bounds)
        return [Candidate(genome=g, parents=[p.id], operator="mutation") for g, p in zip(vec.to_genomes(rows), parents)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status != "rejected":
                self.pop.add(cand)  # failed children age out like any other

    def archive(self) -> AgingPopulation:
        return self.pop
