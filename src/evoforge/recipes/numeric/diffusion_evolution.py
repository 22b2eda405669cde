"""Diffusion Evolution: "Diffusion Models are Evolutionary Algorithms" (Zhang, Hartl, Hazan & Levin,
ICLR 2025). The population is a denoising diffusion run backwards: from x_T ~ N(0, I), each batch is
one step t -> t-1. Every individual estimates its clean point x0 as the fitness- and kernel-weighted
mean of the population, w_ij ~ g(f_j) N(x_i; sqrt(a_t) x_j, 1 - a_t), then takes a DDIM step. g maps
scores to [0, 1] by rank (power ``temperature``). Genomes are SEED + ``scale`` * x. After ``steps``
steps (and one batch for the clean x_0) the process restarts from noise (the engine keeps the best found)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


@register("diffusion-evolution")
@dataclass(kw_only=True)
class DiffusionEvolution(Recipe):
    summary = "diffusion evolution: fitness-weighted denoising (DDIM) of a population (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    population: int = param(64, low=1, help="individuals denoised together (one batch)")
    steps: int = param(10, low=1, help="T: denoising steps per run")
    scale: float = param(1.0, low=0, low_open=True, help="genome = SEED + scale * x")
    noise: float = param(1.0, low=0, high=1, help="DDIM eta: 0 deterministic, 1 DDPM-like")
    temperature: float = param(
        0.1, low=0, low_open=True, help="g = rank_fraction ** (1 / temperature): lower is greedier"
    )

    seed: np.ndarray | None = state()
    bounds: Any = state()
    alpha: np.ndarray | None = state()  # the cosine noise schedule, alpha[T] ~ 0 .. alpha[0] ~ 1
    t: int = state(0)  # the current step
    x: np.ndarray | None = state()  # the population in diffusion space

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.population

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds
        s = np.linspace(0, 1, self.steps + 1)  # cosine schedule: alpha[T] ~ 0 (noise), alpha[0] ~ 1
        self.alpha = np.clip(
            np.cos((s + 0.008) / 1.008 * np.pi / 2) ** 2 / np.cos(0.008 / 1.008 * np.pi / 2) ** 2, 1e-4, 0.9999
        )
        self.t = self.steps
        self.x = rng.standard_normal((self.population, self.seed.size))

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        rows = vec.clip(self.seed + self.scale * self.x[:n], self.bounds)
        return [Candidate(genome=g, operator=f"denoise-t{self.t}") for g in rows.tolist()]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        f = np.array([c.fitness() for c in candidates])
        if len(f) < len(self.x):
            return
        if self.t == 0:  # the clean population has been evaluated: start again from noise
            self.t = self.steps
            self.x = rng.standard_normal(self.x.shape)
            return
        ranks = np.empty(len(f))
        ranks[np.argsort(f, kind="stable")] = np.arange(len(f))
        g = (ranks / max(len(f) - 1, 1)) ** (1.0 / self.temperature)
        g[~np.isfinite(f)] = 0.0
        a_t, a_prev = self.alpha[self.t], self.alpha[self.t - 1]
        x = self.x
        d2 = (x * x).sum(1)[:, None] - 2 * np.sqrt(a_t) * x @ x.T + a_t * (x * x).sum(1)[None]
        logw = -d2 / (2 * (1 - a_t)) + np.log(g + 1e-12)[None]
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        x0 = (w / w.sum(axis=1, keepdims=True)) @ x
        eps = (x - np.sqrt(a_t) * x0) / np.sqrt(1 - a_t)
        sigma = self.noise * np.sqrt(max((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev), 0.0))
        self.x = (
            np.sqrt(a_prev) * x0 + np.sqrt(max(1 - a_prev - sigma**2, 0.0)) * eps + sigma * rng.standard_normal(x.shape)
        )
        self.t -= 1
