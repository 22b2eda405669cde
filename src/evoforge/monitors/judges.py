"""Self-preference of a judge: how much higher it scores its own answers than other models' answers to the
same items ("LLM Evaluators Recognize and Favor Their Own Generations", Panickssery et al., 2024), with
an exact two-sided sign test of the paired differences (ties dropped)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SelfPreference:
    """``mean``: the judge's score of its own answer minus its score of the others', averaged over items
    (> 0: it favours its own); ``wins``/``losses``/``ties``: items where its own scored higher, lower, the
    same; ``p_value``: the sign test's two-sided p-value of wins against losses."""

    items: int
    mean: float
    wins: int
    losses: int
    ties: int
    p_value: float


def self_preference(own: Sequence[float], others: Any) -> SelfPreference:
    """The judge's self-preference from its scores of its own answers (``own``, one per item) and of other
    models' answers to the same items (``others``: one score per item, or an (items, models) array whose
    rows are averaged)."""
    mine = np.asarray(own, dtype=float)
    theirs = np.asarray(others, dtype=float)
    if mine.ndim != 1 or len(mine) == 0:
        raise ValueError(f"own: expected one score per item, got shape {mine.shape}")
    if theirs.ndim == 2:
        theirs = theirs.mean(axis=1)
    if theirs.shape != mine.shape:
        raise ValueError(f"others: expected {len(mine)} items (paired with own), got shape {np.shape(others)}")
    if not (np.isfinite(mine).all() and np.isfinite(theirs).all()):
        raise ValueError("self_preference: a score is not finite")
    diff = mine - theirs
    wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
    return SelfPreference(len(diff), float(diff.mean()), wins, losses, len(diff) - wins - losses,
                          sign_test(wins, losses))  # fmt: skip


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test: the chance under no preference (each untied item a fair coin) of a split
    at least as uneven as ``wins`` to ``losses``; 1.0 when there are no untied items."""
    if wins < 0 or losses < 0:
        raise ValueError(f"sign_test: counts must be >= 0, got {wins}, {losses}")
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2.0 * tail)
