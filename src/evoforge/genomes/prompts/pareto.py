"""Instance-level Pareto selection (as in GEPA): keep every candidate that is the best seen on at
least one item, and sample parents in proportion to how many items they are best on."""

from __future__ import annotations

from typing import Any

import numpy as np


class InstanceFront:
    def __init__(self) -> None:
        self.best: dict[int, tuple[float, list[int]]] = {}  # item -> (best value, candidate ids)

    def add(self, cand_id: int, items: list[int], values: list[float]) -> None:
        for item, value in zip(items, values):
            top = self.best.get(int(item))
            if top is None or value > top[0]:
                self.best[int(item)] = (float(value), [cand_id])
            elif value == top[0] and cand_id not in top[1]:
                top[1].append(cand_id)

    def counts(self, alive: set[int] | None = None) -> dict[int, int]:
        """Candidate id -> number of items it is (jointly) best on, among items someone solved."""
        out: dict[int, int] = {}
        for value, ids in self.best.values():
            if value <= 0:
                continue
            for i in ids:
                if alive is None or i in alive:
                    out[i] = out.get(i, 0) + 1
        return out

    def sample(self, rng: np.random.Generator, alive: set[int] | None = None) -> int | None:
        counts = self.counts(alive)
        if not counts:
            return None
        ids = sorted(counts)
        w = np.array([counts[i] for i in ids], dtype=float)
        return ids[int(rng.choice(len(ids), p=w / w.sum()))]

    def to_state(self) -> dict[str, Any]:
        return {str(k): v for k, v in self.best.items()}
