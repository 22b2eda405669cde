"""Archives: what persists between batches. All hold :class:`Candidate` objects of any genome kind.

- :class:`AgingPopulation`: a FIFO population; the oldest dies (regularized evolution).
- :class:`Islands`: separate populations with periodic ring migration of their best.
- :class:`GridArchive`: MAP-Elites, the best candidate per cell of a descriptor grid.
- :class:`NoveltyArchive`: k-nearest-neighbour novelty over descriptors.
- :class:`ParetoFront`: the non-dominated set over several objectives.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable, Sequence

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
        return max((self.members[i] for i in idx), key=lambda c: (c.fitness(), -c.id))

    def __len__(self) -> int:
        return len(self.members)

    def __iter__(self):
        return iter(self.members)


class Islands:
    """``n`` populations evolving apart; every ``interval`` calls to :meth:`tick` each island sends a
    copy of its ``migrants`` best to the next island in a ring, replacing that island's worst."""

    def __init__(self, n: int, capacity: int, interval: int = 10, migrants: int = 1):
        self.populations: list[list[Candidate]] = [[] for _ in range(n)]
        self.capacity, self.interval, self.migrants = capacity, interval, migrants
        self.ticks = 0

    def add(self, cand: Candidate, island: int) -> None:
        pop = self.populations[island]
        pop.append(cand)
        if len(pop) > self.capacity:
            pop.sort(key=lambda c: (-c.fitness(), c.id))
            del pop[self.capacity:]

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
            target.sort(key=lambda c: (-c.fitness(), c.id))
            del target[self.capacity:]
        return True

    def best(self) -> Candidate | None:
        everyone = [c for pop in self.populations for c in pop]
        return ranked(everyone)[0] if everyone else None


class GridArchive:
    """MAP-Elites grid: one elite per cell of a regular grid over descriptor space."""

    def __init__(self, bounds: Sequence[tuple[float, float]], cells: int | Sequence[int]):
        self.low = np.array([b[0] for b in bounds], dtype=float)
        self.high = np.array([b[1] for b in bounds], dtype=float)
        self.dims = np.array([cells] * len(bounds) if isinstance(cells, int) else list(cells), dtype=int)
        self.elites: dict[tuple[int, ...], Candidate] = {}

    def cell(self, descriptors: Sequence[float]) -> tuple[int, ...]:
        frac = (np.asarray(descriptors, dtype=float) - self.low) / (self.high - self.low)
        return tuple(np.clip((frac * self.dims).astype(int), 0, self.dims - 1).tolist())

    def add(self, cand: Candidate) -> str:
        """Insert if the cell is empty or ``cand`` beats its elite. Returns 'new', 'improved' or 'no'."""
        if not cand.ok or cand.descriptors is None:
            return "no"
        key = self.cell(cand.descriptors)
        incumbent = self.elites.get(key)
        if incumbent is None:
            self.elites[key] = cand
            return "new"
        if cand.fitness() > incumbent.fitness():
            self.elites[key] = cand
            return "improved"
        return "no"

    def sample(self, k: int, rng: np.random.Generator) -> list[Candidate]:
        keys = list(self.elites)
        return [self.elites[keys[i]] for i in rng.integers(0, len(keys), size=k)] if keys else []

    @property
    def coverage(self) -> float:
        return len(self.elites) / float(np.prod(self.dims))

    def qd_score(self, offset: float = 0.0) -> float:
        return float(sum(c.fitness() - offset for c in self.elites.values()))

    def heatmap(self) -> np.ndarray:
        """2-D array of elite scores (NaN where empty); needs a 2-D grid."""
        grid = np.full(tuple(self.dims[:2]), np.nan)
        for key, cand in self.elites.items():
            grid[key[0], key[1]] = cand.fitness()
        return grid

    def best(self) -> Candidate | None:
        return ranked(list(self.elites.values()))[0] if self.elites else None


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
        return [cand.score if name == "score" else float(cand.metrics.get(name, -np.inf))
                for name in self.objectives]

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
