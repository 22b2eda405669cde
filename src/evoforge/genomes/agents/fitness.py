"""Fitness of an agent from its per-item scores: the median of a bootstrap distribution of the mean
(as ADAS reports: the centre of a 95 % bootstrap confidence interval), with the interval itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bootstrap(scores: Sequence[float], *, samples: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """(low, median, high) of the mean of ``scores`` over ``samples`` resamples (2.5 %, 50 %, 97.5 %)."""
    values = np.asarray(list(scores), dtype=float)
    if values.size == 0:
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, size=(samples, values.size))].mean(axis=1)
    low, mid, high = np.percentile(means, [2.5, 50, 97.5])
    return float(low), float(mid), float(high)


def fitness(scores: Sequence[float], seed: int = 0) -> float:
    """The bootstrap median of the mean score."""
    return bootstrap(scores, seed=seed)[1]
