"""Archives: what persists between batches. All hold :class:`Candidate` objects of any genome kind.

- :class:`AgingPopulation`: a FIFO population; the oldest dies (regularized evolution).
- :class:`Islands`: separate populations with periodic ring migration of their best.
- :class:`GridArchive`: MAP-Elites, the best candidate per cell of a descriptor grid or CVT.
- :class:`NoveltyArchive`: k-nearest-neighbour novelty over descriptors.
- :class:`ParetoFront`: the non-dominated set over several objectives.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

import numpy as np

from .candidate import Candidate
from .selection import ranked, tournament


class AgingPopulation:
    """Fixed-size FIFO population: adding to a full population removes its oldest member."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.members: deque[Candidate] = deque()

    def add(self, cand: Candidate) -> None:
        self.members.append(cand)
        while len(self.members) > self.capacity:
            self.members.popleft()

    def tournament(self, rng: np.random.Generator, sample_size: int) -> Candidate:
        """Best of ``sample_size`` members drawn without replacement."""
        idx = rng.choice(len(self.members), size=min(sample_size, len(self.members)), replace=False)
        return min((self.members[i] for i in idx), key=Candidate.rank_key)

    def __len__(self) -> int:
        return len(self.members)

    def __iter__(self):
        return iter(self.members)


class Islands:
    """``n`` populations evolving apart, each kept to its ``capacity`` best; every ``interval`` calls to
    :meth:`tick` each island sends a copy of its ``migrants`` best to the next island in a ring,
    replacing that island's worst. With ``keep_ranked`` every population is kept sorted best first
    (otherwise in arrival order until it first overflows)."""

    keep_ranked = False  # class default: islands pickled before the option existed

    def __init__(self, n: int, capacity: int, interval: int = 10, migrants: int = 1, keep_ranked: bool = False):
        self.populations: list[list[Candidate]] = [[] for _ in range(n)]
        self.capacity, self.interval, self.migrants = capacity, interval, migrants
        self.keep_ranked = keep_ranked
        self.ticks = 0

    def add(self, cand: Candidate, island: int) -> None:
        pop = self.populations[island]
        pop.append(cand)
        if self.keep_ranked or len(pop) > self.capacity:
            pop.sort(key=Candidate.rank_key)
            del pop[self.capacity :]

    def select(self, island: int, k: int, rng: np.random.Generator, size: int = 2) -> list[Candidate]:
        return tournament(self.populations[island], k, rng, size)

    def tick(self) -> bool:
        """Advance the clock; migrate when it is time. Returns whether migration happened."""
        self.ticks += 1
        if self.interval <= 0 or self.ticks % self.interval:
            return False
        outgoing = [ranked(pop)[: self.migrants] for pop in self.populations]
        for i, migrants in enumerate(outgoing):
            target = self.populations[(i + 1) % len(self.populations)]
            ids = {c.id for c in target}
            for cand in migrants:
                if cand.id not in ids:
                    target.append(cand)
            target.sort(key=Candidate.rank_key)
            del target[self.capacity :]
        return True

    def weakest(self) -> list[int]:
        """Island indices ordered by their best member's fitness, weakest first (ties: lower index)."""
        best_of = [max((c.fitness() for c in pop), default=-np.inf) for pop in self.populations]
        return sorted(range(len(self.populations)), key=lambda i: (best_of[i], i))

    def refill(self, island: int, members: Sequence[Candidate]) -> None:
        """Replace an island's population (an island reset)."""
        self.populations[island] = list(members)

    def best(self) -> Candidate | None:
        everyone = [c for pop in self.populations for c in pop]
        return ranked(everyone)[0] if everyone else None


class GridArchive:
    """MAP-Elites archive: one elite per cell of a regular grid over descriptor space or, with
    ``centroids``, per nearest centroid (CVT; its heatmap is drawn on a ``display`` raster). Held in numpy
    arrays with one row per cell (``scores``, ``ids``, ``measures`` and, for vector genomes,
    ``solutions``) so a whole batch goes in at once (:meth:`add_rows`); candidates added one at a time
    (:meth:`add`, any genome kind) are also kept as objects. ``elites`` and :meth:`sample` list cells
    in the order they were first filled."""

    def __init__(
        self,
        bounds: Sequence[tuple[float, float]],
        cells: int | Sequence[int],
        centroids: np.ndarray | None = None,
        display: int = 100,
        names: Sequence[str] | None = None,
    ):
        self.names = [str(n) for n in names] if names else None  # the descriptors' names, for readers
        self.low = np.array([b[0] for b in bounds], dtype=float)
        self.high = np.array([b[1] for b in bounds], dtype=float)
        self.centroids = centroids
        self.dims = (
            np.array([display] * len(bounds))
            if centroids is not None
            else np.array([cells] * len(bounds) if isinstance(cells, int) else list(cells), dtype=int)
        )
        self.size = len(centroids) if centroids is not None else int(np.prod(self.dims))
        self.scores = np.full(self.size, -np.inf)
        self.ids = np.full(self.size, -1, dtype=np.int64)
        self.measures = np.zeros((self.size, len(bounds)))
        self.solutions: np.ndarray | None = None  # allocated on the first vector insertion
        self.first = np.full(self.size, -1, dtype=np.int64)  # rank of each cell in the fill order
        self.filled = 0
        self.members: dict[int, Candidate] = {}  # cell -> the candidate add() put there

    def __setstate__(self, state: dict) -> None:
        if isinstance(state.get("elites"), dict):  # pickled by the dict-based archive of earlier versions
            self.__init__(list(zip(state["low"], state["high"])), [int(d) for d in state["dims"]])
            for cand in state["elites"].values():
                self.add(cand)
            return
        if "first" not in state:  # pickled before the fill order was kept: cell order
            occ = np.flatnonzero(np.isfinite(state["scores"]))
            state["first"] = np.full(len(state["scores"]), -1, dtype=np.int64)
            state["first"][occ] = np.arange(len(occ))
            state["filled"], state["members"] = len(occ), {}
        self.__dict__.update(state)

    def index(self, desc: np.ndarray) -> np.ndarray:
        """The flat cell index of each row of descriptors."""
        desc = np.atleast_2d(desc)
        if self.centroids is not None:
            d2 = (desc * desc).sum(1)[:, None] - 2 * desc @ self.centroids.T + (self.centroids**2).sum(1)[None]
            return d2.argmin(axis=1)
        frac = (desc - self.low) / (self.high - self.low)
        cell = np.clip((frac * self.dims).astype(int), 0, self.dims - 1)
        return np.ravel_multi_index(cell.T, self.dims)

    def _enter(self, cell: np.ndarray, scores: np.ndarray, measures: np.ndarray, ids: np.ndarray) -> None:
        new = cell[self.scores[cell] == -np.inf]
        self.first[new] = self.filled + np.arange(len(new))
        self.filled += len(new)
        self.scores[cell], self.measures[cell], self.ids[cell] = scores, measures, ids

    def add_rows(self, rows: np.ndarray, scores: np.ndarray, measures: np.ndarray, ids: np.ndarray) -> np.ndarray:
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
        self._enter(cell, scores[kept], measures[kept], ids[kept])
        self.solutions[cell] = rows[kept]
        if self.members:
            for c in cell.tolist():
                self.members.pop(c, None)
        return kept

    def add_batch(self, cands: list[Candidate], rows: np.ndarray | None = None) -> tuple[int, int]:
        """Insert evaluated candidates (vector genomes; ``rows`` = their genomes stacked, if at hand).
        Returns (new cells, improved cells)."""
        keep = [i for i, c in enumerate(cands) if c.ok and c.descriptors is not None]
        if not keep:
            return 0, 0
        rows = np.asarray([cands[i].genome for i in keep], dtype=float) if rows is None else np.asarray(rows)[keep]
        measures = np.asarray([cands[i].descriptors for i in keep], dtype=float)
        filled = self.filled
        kept = self.add_rows(
            rows,
            np.array([cands[i].score for i in keep], dtype=float),
            measures,
            np.array([-1 if cands[i].id is None else cands[i].id for i in keep], dtype=np.int64),
        )
        n_new = self.filled - filled
        return n_new, len(kept) - n_new

    def add(self, cand: Candidate) -> str:
        """Insert ``cand`` (any genome kind) if its cell is empty or it beats the elite there.
        Returns 'new', 'improved' or 'no'."""
        if not cand.ok or cand.descriptors is None:
            return "no"
        desc = np.asarray(cand.descriptors, dtype=float)
        cell = int(self.index(desc)[0])
        was = float(self.scores[cell])
        if not cand.fitness() > was:
            return "no"
        self._enter(np.array([cell]), np.array([cand.fitness()]), desc[None], np.array([cand.id]))
        self.members[cell] = cand
        row = _vector(cand.genome)
        if row is not None and (self.solutions is None or self.solutions.shape[1] == row.size):
            if self.solutions is None:
                self.solutions = np.zeros((self.size, row.size))
            self.solutions[cell] = row
        return "new" if was == -np.inf else "improved"

    def occupied(self) -> np.ndarray:
        """Indices of the filled cells, in cell order."""
        return np.flatnonzero(np.isfinite(self.scores))

    def fill_order(self) -> np.ndarray:
        """Indices of the filled cells, in the order they were first filled."""
        occ = self.occupied()
        return occ[np.argsort(self.first[occ], kind="stable")]

    def candidate(self, cell: int) -> Candidate:
        """The elite of ``cell``: the candidate add() put there, else one built from the arrays."""
        member = self.members.get(int(cell))
        if member is not None:
            return member
        return Candidate(
            genome=self.solutions[cell].tolist(),
            id=int(self.ids[cell]),
            score=float(self.scores[cell]),
            descriptors=self.measures[cell].tolist(),
            status="ok",
        )

    @property
    def elites(self) -> dict[tuple[int, ...], Candidate]:
        """Cell key (grid coordinates, or the centroid index) -> elite, in fill order."""
        cells = self.fill_order()
        keys = np.unravel_index(cells, self.dims) if self.centroids is None else (cells,)
        return {tuple(int(k[i]) for k in keys): self.candidate(c) for i, c in enumerate(cells)}

    def sample(self, k: int, rng: np.random.Generator) -> list[Candidate]:
        """``k`` elites drawn uniformly (with replacement)."""
        cells = self.fill_order()
        return [self.candidate(cells[i]) for i in rng.integers(0, len(cells), size=k)] if len(cells) else []

    @property
    def coverage(self) -> float:
        return len(self.occupied()) / float(self.size)

    def qd_score(self, offset: float = 0.0) -> float:
        occ = self.occupied()
        return float((self.scores[occ] - offset).sum())

    def heatmap(self) -> np.ndarray:
        """2-D array of elite scores, NaN where empty: over the first two descriptors (the best over the
        others), or on the ``display`` raster for a CVT archive."""
        if self.centroids is None:
            grid = np.where(np.isfinite(self.scores), self.scores, np.nan).reshape(self.dims)
            return np.fmax.reduce(grid, axis=tuple(range(2, grid.ndim))) if grid.ndim > 2 else grid
        axes = [np.linspace(lo, hi, d) for lo, hi, d in zip(self.low[:2], self.high[:2], self.dims[:2])]
        gx, gy = np.meshgrid(*axes, indexing="ij")
        pts = np.stack(
            [gx.ravel(), gy.ravel()] + [np.full(gx.size, (lo + hi) / 2) for lo, hi in zip(self.low[2:], self.high[2:])],
            axis=1,
        )
        values = self.scores[self.index(pts)]
        return np.where(np.isfinite(values), values, np.nan).reshape(gx.shape)

    def best(self) -> Candidate | None:
        occ = self.occupied()
        return self.candidate(occ[np.argmax(self.scores[occ])]) if len(occ) else None


def _vector(genome: object) -> np.ndarray | None:
    """A genome as a 1-D float row, or None when it is not a vector of numbers."""
    try:
        row = np.asarray(genome, dtype=float)
    except (TypeError, ValueError):
        return None
    return row if row.ndim == 1 and row.size else None


class NoveltyArchive:
    """Novelty = mean distance to the ``k`` nearest descriptors among the archive and a reference set.
    Candidates more novel than ``threshold`` join the archive (at most ``max_size``, oldest dropped)."""

    def __init__(self, k: int = 15, threshold: float = 0.0, max_size: int = 10_000):
        self.k, self.threshold, self.max_size = k, threshold, max_size
        self.members: deque[Candidate] = deque()

    def novelty(self, descriptors: np.ndarray, reference: Iterable[Sequence[float]] = ()) -> np.ndarray:
        """Novelty of each row of ``descriptors`` against the archive plus ``reference``."""
        points = [c.descriptors for c in self.members] + [list(r) for r in reference]
        query = np.atleast_2d(np.asarray(descriptors, dtype=float))
        if not points:
            return np.full(len(query), np.inf)
        others = np.asarray(points, dtype=float)
        dist = np.linalg.norm(query[:, None, :] - others[None, :, :], axis=-1)
        dist.sort(axis=1)
        k = min(self.k, dist.shape[1])
        return dist[:, :k].mean(axis=1)

    def add(self, cand: Candidate, novelty: float) -> bool:
        if cand.descriptors is None or novelty <= self.threshold:
            return False
        self.members.append(cand)
        while len(self.members) > self.max_size:
            self.members.popleft()
        return True

    def __len__(self) -> int:
        return len(self.members)


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether objective vector ``a`` Pareto-dominates ``b`` (all objectives maximised)."""
    return all(x >= y for x, y in zip(a, b)) and any(x > y for x, y in zip(a, b))


class ParetoFront:
    """The non-dominated candidates over ``objectives`` (names of metrics, or 'score'); maximised."""

    def __init__(self, objectives: Sequence[str]):
        self.objectives = list(objectives)
        self.members: list[Candidate] = []

    def values(self, cand: Candidate) -> list[float]:
        return [cand.score if name == "score" else float(cand.metrics.get(name, -np.inf)) for name in self.objectives]

    def add(self, cand: Candidate) -> bool:
        """Insert ``cand`` unless it is dominated; drop members it dominates. Returns whether kept."""
        if not cand.ok:
            return False
        v = self.values(cand)
        if any(dominates(self.values(m), v) or self.values(m) == v for m in self.members):
            return False
        self.members = [m for m in self.members if not dominates(v, self.values(m))]
        self.members.append(cand)
        return True

    def __len__(self) -> int:
        return len(self.members)
