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

import numpy as np

from ..archives import GridArchive
from ..candidate import Candidate
from ..errors import TaskError
from ..operators import vector as vec
from ..recipe import Recipe, register
from ..task import Task


class FastGridArchive(GridArchive):
    """A GridArchive whose elites live in numpy arrays (``scores``, ``solutions``) plus one Candidate per
    cell; ``add_batch`` inserts a whole batch at once. With ``centroids`` it is a CVT archive: a cell is
    the nearest centroid, and the heatmap is drawn on a ``display`` x ``display`` raster."""

    def __init__(self, bounds, cells, centroids: np.ndarray | None = None, display: int = 100):
        self.low = np.array([b[0] for b in bounds], dtype=float)
        self.high = np.array([b[1] for b in bounds], dtype=float)
        self.centroids = centroids
        self.dims = (np.array([display] * len(bounds)) if centroids is not None else
                     np.array([cells] * len(bounds) if isinstance(cells, int) else list(cells), dtype=int))
        self.size = len(centroids) if centroids is not None else int(np.prod(self.dims))
        self.scores = np.full(self.size, -np.inf)
        self.cands = np.empty(self.size, dtype=object)
        self.solutions: np.ndarray | None = None

    def index(self, desc: np.ndarray) -> np.ndarray:
        desc = np.atleast_2d(desc)
        if self.centroids is not None:
            d2 = (desc * desc).sum(1)[:, None] - 2 * desc @ self.centroids.T + (self.centroids ** 2).sum(1)[None]
            return d2.argmin(axis=1)
        frac = (desc - self.low) / (self.high - self.low)
        cell = np.clip((frac * self.dims).astype(int), 0, self.dims - 1)
        return np.ravel_multi_index(cell.T, self.dims)

    def add_batch(self, cands: list[Candidate], rows: np.ndarray | None) -> tuple[int, int]:
        """Insert ok candidates with descriptors; returns (new cells, improved cells)."""
        keep = [i for i, c in enumerate(cands) if c.ok and c.descriptors is not None]
        if not keep:
            return 0, 0
        idx = self.index(np.asarray([cands[i].descriptors for i in keep], dtype=float))
        score = np.array([cands[i].score for i in keep], dtype=float)
        order = np.lexsort((-score, idx))  # by cell, best first
        first = np.ones(len(order), dtype=bool)
        first[1:] = idx[order][1:] != idx[order][:-1]
        best = order[first]
        cell, new_score = idx[best], score[best]
        better = new_score > self.scores[cell]
        n_new = int(np.isneginf(self.scores[cell[better]]).sum())
        cell, best = cell[better], best[better]
        self.scores[cell] = new_score[better]
        if rows is not None:
            if self.solutions is None:
                self.solutions = np.zeros((self.size, rows.shape[1]))
            self.solutions[cell] = rows[np.asarray(keep)[best]]
        for c, b in zip(cell, best):
            self.cands[c] = cands[keep[b]]
        return n_new, len(cell) - n_new

    def occupied(self) -> np.ndarray:
        return np.flatnonzero(np.isfinite(self.scores))

    @property
    def elites(self) -> dict:  # type: ignore[override]
        occ = self.occupied()
        keys = (np.unravel_index(occ, self.dims) if self.centroids is None else (occ,))
        return {tuple(int(k[i]) for k in keys): self.cands[c] for i, c in enumerate(occ)}

    def add(self, cand: Candidate) -> str:
        new, improved = self.add_batch([cand], None)
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
        return self.cands[occ[np.argmax(self.scores[occ])]] if len(occ) else None


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
@dataclass
class MapElites(Recipe):
    summary = "MAP-Elites: grid or CVT archive, Gaussian / iso+line variation (vectors)"
    dedupe = False

    cells: int = 50            # per descriptor dimension (grid), or centroids with archive=cvt
    archive_kind: str = "grid"  # grid | cvt
    sigma: float = 0.5         # iso (Gaussian) step
    line_sigma: float = 0.0    # > 0: iso+line variation
    batch_size: int = 100

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

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        occ = self.grid.occupied()
        if not len(occ):
            self.rows = vec.gaussian(np.tile(self.seed, (n, 1)), self.sigma, rng, self.bounds)
            return [Candidate(genome=g, operator="init") for g in self.rows.tolist()]
        pick = occ[rng.integers(0, len(occ), size=n)]
        x = self.grid.solutions[pick]
        self.rows = x + self.sigma * rng.standard_normal(x.shape)
        if self.line_sigma > 0:
            y = self.grid.solutions[occ[rng.integers(0, len(occ), size=n)]]
            self.rows += self.line_sigma * rng.standard_normal((n, 1)) * (y - x)
        self.rows = vec.clip(self.rows, self.bounds)
        ids = [c.id for c in self.grid.cands[pick]]
        op = "iso+line" if self.line_sigma > 0 else "gaussian"
        return [Candidate(genome=g, parents=[i], operator=op) for g, i in zip(self.rows.tolist(), ids)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        rows = self.rows if len(self.rows) == len(candidates) else vec.stack([c.genome for c in candidates])
        self.grid.add_batch(candidates, rows)

    def archive(self) -> FastGridArchive:
        return self.grid
