"""MAP-Elites: "Illuminating search spaces by mapping elites" (Mouret & Clune, 2015), with the CVT
archive of "Using Centroidal Voronoi Tessellations to Scale Up MAP-Elites" (Vassiliades et al., 2018)
and the iso+line operator of "Discovering the Elite Hypervolume by Leveraging Interspecies Correlation"
(Vassiliades & Mouret, 2018). Parents are drawn uniformly from the elites; ``sigma`` is the Gaussian
(iso) step, ``line_sigma`` > 0 adds the line term. Until the archive has an elite, samples come from
SEED + N(0, sigma^2), as in pyribs' GaussianEmitter.

Why not pyribs' archives: they fit the numbers (solution rows, objectives, measures, plus extra fields
that could hold our candidate ids) but not the rest of our candidate store: the grid must hold
:class:`Candidate` objects of any genome kind, be pickled with the recipe for exact resume and be a
:class:`evoforge.core.archives.GridArchive` for ``evoforge plot``; and ``ribs`` brings numba, pandas,
scikit-learn and scipy with it. :class:`evoforge.core.archives.GridArchive` keeps the same vectorised layout
(one row per cell in numpy arrays, batch insertion resolving same-cell conflicts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.archives import GridArchive
from evoforge.core.candidate import Candidate
from evoforge.core.errors import TaskError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec

FastGridArchive = GridArchive  # the name earlier checkpoints were pickled under


def cvt_centroids(
    bounds: np.ndarray, k: int, rng: np.random.Generator, samples: int = 20_000, iterations: int = 20
) -> np.ndarray:
    """Lloyd's k-means on uniform samples of the descriptor box."""
    pts = rng.uniform(bounds[:, 0], bounds[:, 1], size=(max(samples, k), len(bounds)))
    cent = pts[rng.choice(len(pts), size=k, replace=False)]
    for _ in range(iterations):
        lab = ((pts * pts).sum(1)[:, None] - 2 * pts @ cent.T + (cent * cent).sum(1)[None]).argmin(1)
        sums = np.zeros_like(cent)
        np.add.at(sums, lab, pts)
        counts = np.bincount(lab, minlength=k)[:, None]
        cent = np.where(counts > 0, sums / np.maximum(counts, 1), cent)
    return cent


@register("map-elites")
@dataclass(kw_only=True)
class MapElites(Recipe):
    summary = "MAP-Elites: grid or CVT archive, Gaussian / iso+line variation (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    cells: int = param(50, low=1, help="cells per descriptor dimension (grid), or centroids (cvt)")
    archive_kind: str = param("grid", choices=("grid", "cvt"), help="regular grid or CVT archive")
    sigma: float = param(0.5, low=0, help="iso (Gaussian) step")
    line_sigma: float = param(0.0, low=0, help="> 0: iso+line variation with this line step")
    batch_size: int = param(100, low=1, help="children per batch")

    seed: np.ndarray | None = state()
    bounds: Any = state()
    grid: FastGridArchive | None = state()
    rows: np.ndarray | None = state()  # the batch asked for (its genomes as rows)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.seed = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds
        if not task.descriptor_bounds:
            raise TaskError(f"map-elites needs a task with DESCRIPTOR_BOUNDS; {task.name!r} has none")
        db = np.asarray(task.descriptor_bounds, dtype=float)
        names = task.descriptor_names if task.descriptor_names and len(task.descriptor_names) == len(db) else None
        if self.archive_kind == "cvt":
            self.grid = GridArchive(db, self.cells, centroids=cvt_centroids(db, self.cells, rng), names=names)
        elif self.archive_kind == "grid":
            self.grid = GridArchive(db, self.cells, names=names)
        else:
            raise TaskError(f"map-elites: archive_kind must be grid or cvt, not {self.archive_kind!r}")
        self.rows = np.zeros((0, self.seed.size))

    def ask_array(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str]:
        occ = self.grid.occupied()
        if not len(occ):
            rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.sigma, rng, self.bounds)
            return rows, np.full(n, -1, dtype=np.int64), "init"
        pick = occ[rng.integers(0, len(occ), size=n)]
        x = self.grid.solutions[pick]
        rows = x + self.sigma * rng.standard_normal(x.shape)
        if self.line_sigma > 0:
            y = self.grid.solutions[occ[rng.integers(0, len(occ), size=n)]]
            rows += self.line_sigma * rng.standard_normal((n, 1)) * (y - x)
        return vec.clip(rows, self.bounds), self.grid.ids[pick], "iso+line" if self.line_sigma > 0 else "gaussian"

    def tell_array(
        self,
        rows: np.ndarray,
        scores: np.ndarray,
        measures: np.ndarray | None,
        ids: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        if measures is None:
            raise TaskError("map-elites needs descriptors: the task's evaluate_array returned none")
        return self.grid.add_rows(rows, scores, measures, ids)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        self.rows, parents, op = self.ask_array(n, rng)
        return [
            Candidate(genome=g, parents=[p] if p >= 0 else [], operator=op)
            for g, p in zip(self.rows.tolist(), parents.tolist())
        ]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        rows = self.rows if len(self.rows) == len(candidates) else None
        self.grid.add_batch(candidates, rows)

    def archive(self) -> GridArchive:
        return self.grid
