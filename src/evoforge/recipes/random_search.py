"""Random search: independent Gaussian samples around SEED. The baseline every recipe must beat."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..candidate import Candidate
from ..recipe import Recipe, register
from ..task import Task
from ..vectors import operators as vec


@register("random-search")
@dataclass
class RandomSearch(Recipe):
    summary = "baseline: independent Gaussian samples around SEED (vectors)"
    dedupe = False

    sigma: float = 1.0
    batch_size: int = 32

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.attr("BOUNDS")

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.sigma, rng, self.bounds)
        return [Candidate(genome=g, operator="sample") for g in vec.to_genomes(rows)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        pass
