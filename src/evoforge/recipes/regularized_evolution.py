"""Regularized (aging) evolution, from "Regularized Evolution for Image Classifier Architecture Search"
(Real et al., 2019): tournament selection from a FIFO population; each child replaces the oldest
member, not the worst. Steady state; a batch is ``batch_size`` children bred from the same population.
Works on vector genomes here; other genome kinds plug in their own ``mutate``."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..archives import AgingPopulation
from ..candidate import Candidate
from ..recipe import Recipe, register
from ..task import Task
from ..vectors import operators as vec


@register("regularized-evolution")
@dataclass
class RegularizedEvolution(Recipe):
    summary = "aging evolution: tournament parents, the oldest member dies (vectors)"
    dedupe = False

    population: int = 50     # P: size of the FIFO population
    sample_size: int = 10    # S: tournament size
    sigma: float = 0.3       # mutation step
    init_sigma: float = 1.0  # spread of the initial population around SEED
    batch_size: int = 16     # children bred per batch (evaluated in parallel)
    pop: AgingPopulation = field(init=False, repr=False)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.attr("BOUNDS")
        self.pop = AgingPopulation(self.population)
        self.initialised = 0  # random members proposed so far

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.initialised < self.population:  # fill the population first
            k = min(n, self.population - self.initialised)
            rows = vec.gaussian(np.tile(self.seed, (k, 1)), self.init_sigma, rng, self.bounds)
            if self.initialised == 0:
                rows[0] = self.seed
            self.initialised += k
            first = self.initialised == k  # this batch starts the population: its row 0 is SEED
            return [Candidate(genome=g, operator="seed" if first and i == 0 else "init")
                    for i, g in enumerate(vec.to_genomes(rows))]
        parents = [self.pop.tournament(rng, self.sample_size) for _ in range(n)]
        rows = vec.gaussian(vec.stack([p.genome for p in parents]), self.sigma, rng, self.bounds)
        return [Candidate(genome=g, parents=[p.id], operator="mutation")
                for g, p in zip(vec.to_genomes(rows), parents)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status != "rejected":
                self.pop.add(cand)  # failed children age out like any other

    def archive(self) -> AgingPopulation:
        return self.pop
