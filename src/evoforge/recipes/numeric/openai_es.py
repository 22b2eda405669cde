"""OpenAI-ES: "Evolution Strategies as a Scalable Alternative to Reinforcement Learning" (Salimans et
al., 2017), as used for linear policies in "Solving Deep Reinforcement Learning Benchmarks with Linear
Policy Networks". A batch is ``pairs`` antithetic pairs theta +- sigma eps; returns are rank-shaped to
[-0.5, 0.5] (centred ranks), the gradient estimate is fed to Adam, with L2 weight decay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


def centered_ranks(x: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return ranks / max(len(x) - 1, 1) - 0.5


@register("openai-es")
@dataclass(kw_only=True)
class OpenAIES(Recipe):
    summary = "OpenAI-ES: antithetic sampling, centred-rank shaping, Adam (vectors, linear policies)"
    genomes = ("vector", "bits")
    dedupe = False

    pairs: int = param(25, low=1, help="antithetic pairs per batch (batch = 2 * pairs)")
    sigma: float = param(0.1, low=0, low_open=True, help="perturbation scale")
    lr: float = param(0.05, low=0, help="Adam step size")
    weight_decay: float = param(0.005, low=0, help="L2 weight decay added to the gradient estimate")
    init_sigma: float = param(0.0, low=0, help="random start around SEED (0: start at SEED)")

    theta: np.ndarray | None = state()  # the current point
    bounds: Any = state()
    m: np.ndarray | None = state()  # Adam's first moment
    v: np.ndarray | None = state()  # Adam's second moment
    t: int = state(0)  # Adam's step count
    eps: np.ndarray | None = state()  # this batch's perturbations

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return 2 * self.pairs

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        seed = vec.as_vector(task.seed, self.name)
        self.theta = seed + self.init_sigma * rng.standard_normal(seed.size)
        self.bounds = task.bounds
        self.m, self.v, self.t = np.zeros_like(seed), np.zeros_like(seed), 0
        self.eps = np.zeros((0, seed.size))

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        half = max(1, n // 2)
        self.eps = rng.standard_normal((half, self.theta.size))
        rows = self.theta + self.sigma * np.concatenate([self.eps, -self.eps])[:n]
        rows = vec.clip(rows, self.bounds)
        ops = ["es+"] * half + ["es-"] * half
        return [Candidate(genome=g, operator=o) for g, o in zip(rows.tolist(), ops)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        half = len(self.eps)
        if len(candidates) < 2 * half:
            return
        scores = np.array([c.fitness() for c in candidates])
        finite = np.isfinite(scores)
        scores = np.where(finite, scores, scores[finite].min() - 1 if finite.any() else 0.0)
        shaped = centered_ranks(scores)
        grad = (shaped[:half] - shaped[half:]) @ self.eps / (2 * half * self.sigma)
        grad = grad - self.weight_decay * self.theta
        self.t += 1
        self.m = 0.9 * self.m + 0.1 * grad
        self.v = 0.999 * self.v + 0.001 * grad * grad
        step = self.lr * (self.m / (1 - 0.9**self.t)) / (np.sqrt(self.v / (1 - 0.999**self.t)) + 1e-8)
        self.theta = vec.clip(self.theta + step, self.bounds)  # gradient ascent on the score
