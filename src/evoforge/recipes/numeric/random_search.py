"""Random search: independent Gaussian samples around SEED. The baseline every recipe must beat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


@register("random-search")
@dataclass(kw_only=True)
class RandomSearch(Recipe):
    summary = "baseline: independent Gaussian samples around SEED (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    sigma: float = param(1.0, low=0, help="standard deviation of the samples around SEED")
    batch_size: int = param(32, low=1, help="samples per batch")

    seed: np.ndarray | None = state()
    bounds: Any = state()

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.sigma, rng, self.bounds)
        return [Candidate(genome=g, operator="sample") for g in vec.to_genomes(rows)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        pass
