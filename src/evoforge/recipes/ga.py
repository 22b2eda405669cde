"""Genetic algorithm on vector genomes: truncation selection with elitism, uniform crossover and
Gaussian mutation; one generation per batch. Elites survive without being evaluated again."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..candidate import Candidate
from ..recipe import Recipe, register
from ..selection import ranked
from ..task import Task
from ..vectors import operators as vec


@register("ga")
@dataclass
class GA(Recipe):
    summary = "genetic algorithm: truncation selection, elitism, crossover, Gaussian mutation (vectors)"
    dedupe = False

    population: int = 32
    truncation: float = 0.25     # fraction of the population that may parent
    elites: int = 1              # best parents that survive into the next generation's selection
    sigma: float = 0.3           # mutation step
    crossover: float = 0.5       # probability a child has two parents
    init_sigma: float = 1.0      # spread of the first generation around SEED
    parents: list[Candidate] = field(default_factory=list, init=False, repr=False)

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.population

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.attr("BOUNDS")

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.parents:  # first generation: the seed and perturbations of it
            rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.init_sigma, rng, self.bounds)
            rows[0] = self.seed
            return [Candidate(genome=g, operator="seed" if i == 0 else "init")
                    for i, g in enumerate(vec.to_genomes(rows))]
        pool, k = self.parents, n
        first = rng.integers(0, len(pool), size=k)
        second = rng.integers(0, len(pool), size=k)
        cross = rng.random(k) < self.crossover
        a = vec.stack([pool[i].genome for i in first])
        b = vec.stack([pool[i].genome for i in second])
        mixed = np.where(cross[:, None], vec.uniform_crossover(a, b, rng), a)
        rows = vec.gaussian(mixed, self.sigma, rng, self.bounds)
        children = [Candidate(genome=g, parents=[pool[i].id] + ([pool[j].id] if c else []),
                              operator="crossover+mutation" if c else "mutation")
                    for g, i, j, c in zip(vec.to_genomes(rows), first, second, cross)]
        return children

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        """The next parents: the best of this generation plus the previous elites (not re-evaluated)."""
        keep = max(1, int(round(self.truncation * self.population)))
        survivors = [c for c in candidates if c.ok] + self.parents[: self.elites]
        if survivors:
            self.parents = ranked(survivors)[:keep]
