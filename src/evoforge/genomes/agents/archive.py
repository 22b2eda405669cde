"""The open-ended archive of a Darwin-Gödel-Machine-style search: every agent that passed its
evaluation stays; a parent is drawn with probability proportional to
``sigmoid(sharpness * (score - midpoint)) / (1 + children)``, so good agents are chosen often and
agents with few children (unexplored lineages) get their turn."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Entry:
    id: int
    genome: dict[str, Any]
    score: float
    feedback: str = ""
    children: int = 0


@dataclass
class OpenArchive:
    sharpness: float = 10.0
    midpoint: float = 0.5
    entries: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    def weights(self) -> np.ndarray:
        w = np.array(
            [1 / (1 + math.exp(-self.sharpness * (e.score - self.midpoint))) / (1 + e.children) for e in self.entries]
        )
        return w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))

    def choose(self, rng: np.random.Generator) -> Entry:
        """A parent (its child count is raised at once)."""
        entry = self.entries[int(rng.choice(len(self.entries), p=self.weights()))]
        entry.children += 1
        return entry

    def best(self) -> Entry | None:
        return max(self.entries, key=lambda e: (e.score, -e.id), default=None)
