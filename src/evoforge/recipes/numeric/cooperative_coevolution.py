"""Cooperative coevolution: "A Cooperative Coevolutionary Approach to Function Optimization" (Potter &
De Jong, 1994). The vector is split into ``species`` blocks, each with its own subpopulation; a block
is evaluated inside the context vector made of every other species' best block. Batches cycle through
the species: one batch is one generation of one species (truncation + Gaussian mutation, elitism).
The context is updated as soon as a species finds a better block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


@register("cooperative-coevolution")
@dataclass(kw_only=True)
class CooperativeCoevolution(Recipe):
    summary = "cooperative coevolution: one subpopulation per block of the vector (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    species: int = param(5, low=1, help="number of blocks (at most the dimension)")
    population: int = param(20, low=1, help="individuals per species (one batch)")
    truncation: float = param(0.3, low=0, low_open=True, high=1, help="fraction of a species that may parent")
    sigma: float = param(0.3, low=0, help="Gaussian mutation step")
    decay: float = param(0.995, low=0, low_open=True, high=1, help="sigma shrinks by this per species generation")
    init_sigma: float = param(1.0, low=0, help="spread of the first subpopulations around SEED")

    bounds: Any = state()
    blocks: list[np.ndarray] = state(factory=list)  # the vector's indices, one block per species
    context: np.ndarray | None = state()  # every species' best block, as one vector
    context_score: float = state(-np.inf)
    pops: list[np.ndarray] = state(factory=list)  # per species: its blocks
    fits: list[np.ndarray] = state(factory=list)  # per species: their scores
    turn: int = state(0)  # the species bred this batch
    generation: int = state(0)
    rows: np.ndarray | None = state()  # the batch asked for

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.population

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds
        self.blocks = np.array_split(np.arange(seed.size), min(self.species, seed.size))
        self.context, self.context_score = seed.copy(), -np.inf
        self.pops = [seed[b] + self.init_sigma * rng.standard_normal((self.population, len(b))) for b in self.blocks]
        self.fits = [np.full(self.population, -np.inf) for _ in self.blocks]
        self.turn, self.generation, self.rows = 0, 0, np.zeros((0, seed.size))

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        s, block = self.turn, self.blocks[self.turn]
        if np.isfinite(self.fits[s]).any():  # breed from the block's parents; the best survives
            keep = max(1, round(self.truncation * self.population))
            parents = self.pops[s][np.argsort(-self.fits[s], kind="stable")[:keep]]
            sigma = self.sigma * self.decay ** (self.generation // len(self.blocks))
            kids = parents[rng.integers(0, keep, size=self.population)] + sigma * rng.standard_normal(
                (self.population, len(block))
            )
            kids[0] = parents[0]
            self.pops[s] = kids
        self.rows = np.tile(self.context, (min(n, self.population), 1))
        self.rows[:, block] = self.pops[s][: len(self.rows)]
        self.rows = vec.clip(self.rows, self.bounds)
        return [Candidate(genome=g, operator=f"species-{s}") for g in self.rows.tolist()]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        s = self.turn
        f = np.array([c.fitness() for c in candidates])
        self.fits[s] = np.full(self.population, -np.inf)
        self.fits[s][: len(f)] = f
        best = int(np.argmax(f))
        if f[best] > self.context_score:
            self.context, self.context_score = self.rows[best].copy(), float(f[best])
        self.turn = (self.turn + 1) % len(self.blocks)
        self.generation += 1
