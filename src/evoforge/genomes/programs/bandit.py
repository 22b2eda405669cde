"""A UCB1 bandit over named arms (operators, system prompts)."""

from __future__ import annotations

import math

import numpy as np


class Bandit:
    """UCB1 over named arms; reward 1 for a child that beat its parent, else 0. ``prior`` gives an arm
    one pseudo-pull with that reward (arms with a prior count as tried)."""

    def __init__(self, arms: list[str], c: float = 1.0, prior: dict[str, float] | None = None):
        self.arms, self.c = list(arms), c
        prior = prior or {}
        self.pulls = {a: (1 if a in prior else 0) for a in arms}
        self.wins = {a: float(prior.get(a, 0.0)) for a in arms}

    def choose(self, rng: np.random.Generator) -> str:
        untried = [a for a in self.arms if self.pulls[a] == 0]
        if untried:
            return untried[int(rng.integers(len(untried)))]
        total = sum(self.pulls.values())
        scores = [self.wins[a] / self.pulls[a] + self.c * math.sqrt(math.log(total) / self.pulls[a]) for a in self.arms]
        return self.arms[int(np.argmax(scores))]

    def update(self, arm: str, reward: float) -> None:
        if arm in self.pulls:
            self.pulls[arm] += 1
            self.wins[arm] += reward
