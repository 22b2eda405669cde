"""MAP-Elites: "Illuminating search spaces by mapping elites" (Mouret & Clune, 2015), with the CVT
archive of "Using Centroidal Voronoi Tessellations to Scale Up MAP-Elites" (Vassiliades et al., 2018)
and the iso+line operator of "Discovering the Elite Hypervolume by Leveraging Interspecies Correlation"
(Vassiliades & Mouret, 2018). Parents are drawn uniformly from the elites; ``sigma`` is the Gaussian
(iso) step, ``line_sigma`` > 0 adds the line term. Until the archive has an elite, samples come from
SEED + N(0, sigma^2), as in pyribs' GaussianEmitter.

Why not pyribs' archives: they fit the numbers (solution rows, objectives, measures, plus extra fields
that could hold our candidate ids) but not the rest of our candidate store: the grid must hold
:class:`Candidate` objects of any genome kind, be pickled with the recipe for exact resume and be a
:class:`evoforge.archives.GridArchive` for ``evoforge plot``; and ``ribs`` brings numba, pandas,
scikit-learn and scipy with it. The archive below keeps the same vectorised layout (one row per cell
in numpy arrays, batch insertion resolving same-cell conflicts) next to the candidates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..archives import GridArchive
from ..candidate import Candidate
from ..errors import TaskError
from ..recipe import Recipe, param, register, state
from ..task import Task
from ..vectors import operators as vec


class FastGridArchive(GridArchive):
    """A GridArchive held in numpy arrays, one row per cell (``scores``, ``solutions``, ``measures``,
    ``ids``), like pyribs' archives; ``add_rows`` inserts a whole batch at once. Candidates are built only
    when asked for (``elites``, ``best``); the run store keeps the full records. With ``centroids`` it is
    a CVT archive: a cell is the nearest centroid, and the heatmap is drawn on a ``display`` raster."""

    def __init__(self, bounds, cells, centroids: np.ndarray | None = None, display: int = 100):
        self.low = np.array([b[0] for b in bounds], dtype=float)
        self.high = np.array([b[1] for b in bounds], dtype=float)
        self.centroids = centroids
        self.dims = (np.array([display] * len(bounds)) if centroids is not None else
                     np.array([cells] * len(bounds) if isinstance(cells, int) else list(cells), dtype=int))
        self.size = len(centroids) if centroids is not None else int(np.prod(self.dims))
        self.scores = np.full(self.size, -np.inf)
        self.ids = np.full(self.size, -1, dtype=np.int64)
        self.measures = np.zeros((self.size, len(bounds)))
        self.solutions: np.ndarray | None = None  # allocated on the first insertion

    def index(self, desc: np.ndarray) -> np.ndarray:
        desc = np.atleast_2d(desc)
        if self.centroids is not None:
            d2 = (desc * desc).sum(1)[:, None] - 2 * desc @ self.centroids.T + (self.centroids ** 2).sum(1)[None]
            return d2.argmin(axis=1)
        frac = (desc - self.low) / (self.high - self.low)
        cell = np.clip((frac * self.dims).astype(int), 0, self.dims - 1)
        return np.ravel_multi_index(cell.T, self.dims)

    def add_rows(self, rows: np.ndarray, scores: np.ndarray, measures: np.ndarray,
                 ids: np.ndarray) -> np.ndarray:
        """Insert a batch; per cell only the batch's best competes with the elite. Rows with a
        non-finite score or descriptor are ignored. Returns the indices of the rows that entered."""
        finite = np.flatnonzero(np.isfinite(scores) & np.isfinite(measures).all(axis=1))
        if not len(finite):
            return finite
        idx, score = self.index(measures[finite]), scores[finite]
        order = np.lexsort((-score, idx))  # by cell, best first
        first = np.ones(len(order), dtype=bool)
        first[1:] = idx[order][1:] != idx[order][:-1]
        best = order[first]
        better = score[best] > self.scores[idx[best]]
        best = best[better]
        cell, kept = idx[best], finite[best]
        if self.solutions is None:
            self.solutions = np.zeros((self.size, rows.shape[1]))
        self.scores[cell], self.solutions[cell] = scores[kept], rows[kept]
        self.measures[cell], self.ids[cell] = measures[kept], ids[kept]
        return kept

    def add_batch(self, cands: list[Candidate], rows: np.ndarray | None = None) -> tuple[int, int]:
        """Insert evaluated candidates (vector genomes; ``rows`` = their genomes stacked, if at hand).
        Returns (new cells, improved cells)."""
        keep = [i for i, c in enumerate(cands) if c.ok and c.descriptors is not None]
        if not keep:
            return 0, 0
        rows = vec.stack([cands[i].genome for i in keep]) if rows is None else np.asarray(rows)[keep]
        measures = np.asarray([cands[i].descriptors for i in keep], dtype=float)
        filled = len(self.occupied())
        kept = self.add_rows(rows, np.array([cands[i].score for i in keep], dtype=float), measures,
                             np.array([-1 if cands[i].id is None else cands[i].id for i in keep], dtype=np.int64))
        n_new = len(self.occupied()) - filled
        return n_new, len(kept) - n_new

    def occupied(self) -> np.ndarray:
        return np.flatnonzero(np.isfinite(self.scores))

    def candidate(self, cell: int) -> Candidate:
        """The elite of ``cell`` as a Candidate (genome, score, descriptors, id)."""
        return Candidate(genome=self.solutions[cell].tolist(), id=int(self.ids[cell]), score=float(self.scores[cell]),
                         descriptors=self.measures[cell].tolist(), status="ok")

    @property
    def elites(self) -> dict:  # type: ignore[override]
        occ = self.occupied()
        keys = (np.unravel_index(occ, self.dims) if self.centroids is None else (occ,))
        return {tuple(int(k[i]) for k in keys): self.candidate(c) for i, c in enumerate(occ)}

    def add(self, cand: Candidate) -> str:
        new, improved = self.add_batch([cand])
        return "new" if new else "improved" if improved else "no"

    @property
    def coverage(self) -> float:
        return len(self.occupied()) / float(self.size)

    def qd_score(self, offset: float = 0.0) -> float:
        occ = self.occupied()
        return float((self.scores[occ] - offset).sum())

    def heatmap(self) -> np.ndarray:
        if self.centroids is None:
            grid = np.where(np.isfinite(self.scores), self.scores, np.nan).reshape(self.dims)
            return np.fmax.reduce(grid, axis=tuple(range(2, grid.ndim))) if grid.ndim > 2 else grid
        axes = [np.linspace(lo, hi, d) for lo, hi, d in zip(self.low[:2], self.high[:2], self.dims[:2])]
        gx, gy = np.meshgrid(*axes, indexing="ij")
        pts = np.stack([gx.ravel(), gy.ravel()] + [np.full(gx.size, (lo + hi) / 2)
                       for lo, hi in zip(self.low[2:], self.high[2:])], axis=1)
        values = self.scores[self.index(pts)]
        return np.where(np.isfinite(values), values, np.nan).reshape(gx.shape)

    def best(self) -> Candidate | None:
        occ = self.occupied()
        return self.candidate(occ[np.argmax(self.scores[occ])]) if len(occ) else None


def cvt_centroids(bounds: np.ndarray, k: int, rng: np.random.Generator, samples: int = 20_000,
                  iterations: int = 20) -> np.ndarray:
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
        self.bounds = task.attr("BOUNDS")
        if not task.descriptor_bounds:
            raise TaskError(f"map-elites needs a task with DESCRIPTOR_BOUNDS; {task.name!r} has none")
        db = np.asarray(task.descriptor_bounds, dtype=float)
        if self.archive_kind == "cvt":
            self.grid = FastGridArchive(db, self.cells, centroids=cvt_centroids(db, self.cells, rng))
        elif self.archive_kind == "grid":
            self.grid = FastGridArchive(db, self.cells)
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

    def tell_array(self, rows: np.ndarray, scores: np.ndarray, measures: np.ndarray | None, ids: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
        if measures is None:
            raise TaskError("map-elites needs descriptors: the task's evaluate_array returned none")
        return self.grid.add_rows(rows, scores, measures, ids)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        self.rows, parents, op = self.ask_array(n, rng)
        return [Candidate(genome=g, parents=[p] if p >= 0 else [], operator=op)
                for g, p in zip(self.rows.tolist(), parents.tolist())]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        rows = self.rows if len(self.rows) == len(candidates) else None
        self.grid.add_batch(candidates, rows)

    def archive(self) -> FastGridArchive:
        return self.grid
