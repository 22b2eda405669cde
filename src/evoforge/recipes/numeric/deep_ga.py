"""The Deep Neuroevolution GA: "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for
Training Deep Neural Networks for Reinforcement Learning" (Such et al., 2017). Mutation only (theta +
sigma eps), truncation selection of the top ``truncation`` fraction, the elite carried over unchanged.
Each candidate's ``info['seeds']`` is its compact encoding, the list of mutation seeds from the
initial one: :func:`decode` rebuilds the vector from it exactly. (The vector ``ga`` recipe is the plain
GA with crossover; this one is the paper's.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


def decode(seeds: list[int], start: np.ndarray, sigma: float, init_sigma: float) -> np.ndarray:
    """theta_0 = start + init_sigma * eps(seed_0); theta_k = theta_{k-1} + sigma * eps(seed_k)."""
    theta = start + init_sigma * np.random.default_rng(seeds[0]).standard_normal(start.size)
    for s in seeds[1:]:
        theta = theta + sigma * np.random.default_rng(s).standard_normal(start.size)
    return theta


@register("deep-ga")
@dataclass(kw_only=True)
class DeepGA(Recipe):
    summary = "Deep Neuroevolution GA: mutation-only, truncation, elitism, seed-list genomes (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    population: int = param(50, low=1, help="children per generation (one batch)")
    truncation: float = param(0.2, low=0, low_open=True, high=1, help="fraction of the population that may parent")
    sigma: float = param(0.1, low=0, help="mutation step: theta + sigma * eps")
    init_sigma: float = param(1.0, low=0, help="spread of the first generation around SEED")

    start: np.ndarray | None = state()  # SEED as a vector
    bounds: Any = state()
    parents: list[Candidate] = state(factory=list)

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.population

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.start = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds  # note: clipping breaks exact decoding; only applied if set

    def _child(self, base: np.ndarray, seeds: list[int], scale: float, parent: list[int], op: str) -> Candidate:
        theta = base + scale * np.random.default_rng(seeds[-1]).standard_normal(base.size)
        return Candidate(
            genome=vec.clip(theta, self.bounds).tolist(), parents=parent, operator=op, info={"seeds": seeds}
        )

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        new_seeds = rng.integers(0, 2**31 - 1, size=n).tolist()
        if not self.parents:
            return [self._child(self.start, [s], self.init_sigma, [], "init") for s in new_seeds]
        keep = max(1, round(self.truncation * self.population))
        pool = self.parents[:keep]
        picks = rng.integers(0, len(pool), size=n - 1)
        kids = [
            self._child(np.asarray(pool[i].genome), pool[i].info["seeds"] + [s], self.sigma, [pool[i].id], "mutation")
            for i, s in zip(picks, new_seeds)
        ]
        elite = self.parents[0]  # the elite, re-evaluated (noisy tasks) under its own seed list
        return [
            Candidate(
                genome=list(elite.genome),
                parents=[elite.id],
                operator="elite",
                info={"seeds": list(elite.info["seeds"])},
            )
        ] + kids[: n - 1]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        ok = [c for c in candidates if c.ok]
        if ok:
            self.parents = sorted(ok, key=Candidate.rank_key)
