"""Novelty search: "Abandoning Objectives: Evolution Through the Search for Novelty Alone" (Lehman &
Stanley, 2011), with the evolvability measure of "Novelty Search makes Evolvability Inevitable"
(Doncieux, Paolo, Laflaquiere & Coninx, 2020). The score is ignored for selection: a (mu + lambda)
population is ranked by novelty, the mean distance to the k nearest descriptors among the archive, the
population and the batch. Each batch adds ``archive_add`` random children to the archive. Evolvability
of a parent = the number of distinct descriptor cells (a ``cells`` x ``cells`` grid) its children
reached; ``evolvability`` keeps the population mean per batch (it rises under novelty search)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.archives import NoveltyArchive
from evoforge.core.candidate import Candidate
from evoforge.core.errors import TaskError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


def knn_novelty(query: np.ndarray, points: np.ndarray, k: int, exclude_self: bool) -> np.ndarray:
    d2 = (query * query).sum(1)[:, None] + (points * points).sum(1)[None, :] - 2.0 * query @ points.T
    dist = np.sqrt(np.maximum(d2, 0.0))
    kk = min(k + exclude_self, dist.shape[1])
    part = np.partition(dist, kk - 1, axis=1)[:, :kk]
    part.sort(axis=1)
    return part[:, int(exclude_self) :].mean(axis=1)


@register("novelty-search")
@dataclass(kw_only=True)
class NoveltySearch(Recipe):
    summary = "novelty search: k-NN novelty over descriptors, archive, evolvability (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    population: int = param(50, low=1, help="mu: individuals kept, ranked by novelty")
    batch_size: int = param(50, low=1, help="lambda: children per batch")
    k: int = param(15, low=1, help="nearest neighbours in the novelty measure")
    archive_add: int = param(5, low=0, help="random children added to the archive per batch")
    sigma: float = param(0.4, low=0, help="Gaussian mutation step")
    init_sigma: float = param(0.5, low=0, help="spread of the first batch around SEED")
    cells: int = param(20, low=1, help="grid resolution per descriptor for the evolvability measure")

    seed: np.ndarray | None = state()
    bounds: Any = state()
    dbounds: np.ndarray | None = state()  # the task's descriptor bounds
    novelty_archive: NoveltyArchive | None = state()
    points: np.ndarray | None = state()  # the archive's descriptors, one row each
    evolvability: list[float] = state(factory=list)  # population mean per batch
    pop: list[Candidate] = state(factory=list)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds
        self.dbounds = np.asarray(task.descriptor_bounds, dtype=float) if task.descriptor_bounds else None
        self.novelty_archive = NoveltyArchive(self.k)
        self.points = np.zeros((0, 0))
        self.evolvability = []

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.pop:
            rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.init_sigma, rng, self.bounds)
            return [Candidate(genome=g, operator="init") for g in rows.tolist()]
        nov = np.array([c.info["novelty"] for c in self.pop])
        picks = rng.integers(0, len(self.pop), size=(n, 2))
        winners = np.where(nov[picks[:, 0]] >= nov[picks[:, 1]], picks[:, 0], picks[:, 1])
        parents = vec.stack([self.pop[i].genome for i in winners])
        rows = vec.gaussian(parents, self.sigma, rng, self.bounds)
        return [
            Candidate(genome=g, parents=[self.pop[i].id], operator="mutation") for g, i in zip(rows.tolist(), winners)
        ]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        kids = [c for c in candidates if c.ok and c.descriptors is not None]
        if not kids and any(c.ok for c in candidates):
            raise TaskError("novelty-search needs a task that returns 'descriptors'")
        self._measure_evolvability(kids)
        pool = self.pop + kids
        if not pool:
            return
        desc = np.asarray([c.descriptors for c in pool], dtype=float)
        reference = desc if not len(self.points) else np.concatenate([desc, self.points])
        nov = knn_novelty(desc, reference, self.k, exclude_self=True)
        for c, v in zip(pool, nov):
            c.info["novelty"] = float(v)
        for i in rng.choice(len(kids), size=min(self.archive_add, len(kids)), replace=False) if kids else []:
            self.novelty_archive.add(kids[i], np.inf)  # random admission, not a threshold
            row = np.asarray(kids[i].descriptors, dtype=float)[None]
            self.points = row if not len(self.points) else np.concatenate([self.points, row])
        order = np.argsort(-nov, kind="stable")[: self.population]
        self.pop = [pool[i] for i in order]

    def _measure_evolvability(self, kids: list[Candidate]) -> None:
        if not kids or self.dbounds is None or not self.pop:
            return
        lo, hi = self.dbounds[:, 0], self.dbounds[:, 1]
        cells = np.clip(
            ((np.asarray([c.descriptors for c in kids]) - lo) / (hi - lo) * self.cells).astype(int), 0, self.cells - 1
        )
        reached: dict[int, set] = {}
        for c, cell in zip(kids, map(tuple, cells)):
            if c.parents:
                reached.setdefault(c.parents[0], set()).add(cell)
        if reached:
            self.evolvability.append(float(np.mean([len(s) for s in reached.values()])))

    def archive(self) -> NoveltyArchive:
        return self.novelty_archive
