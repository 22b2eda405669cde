"""Parent selection over candidates of any genome kind (ranked by :meth:`Candidate.rank_key`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .candidate import Candidate


def tournament(pool: Sequence[Candidate], k: int, rng: np.random.Generator, size: int = 2) -> list[Candidate]:
    """``k`` winners of tournaments among ``size`` candidates drawn uniformly (with replacement)."""
    if not pool:
        return []
    picks = rng.integers(0, len(pool), size=(k, size))
    return [min((pool[i] for i in row), key=Candidate.rank_key) for row in picks]


def ranked(pool: Sequence[Candidate]) -> list[Candidate]:
    """Best first; ties broken by age (older first) so ordering is deterministic."""
    return sorted(pool, key=Candidate.rank_key)


def truncation(pool: Sequence[Candidate], keep: int) -> list[Candidate]:
    """The ``keep`` best candidates."""
    return ranked(pool)[:keep]


def uniform(pool: Sequence[Candidate], k: int, rng: np.random.Generator) -> list[Candidate]:
    if not pool:
        return []
    return [pool[i] for i in rng.integers(0, len(pool), size=k)]


def boltzmann(
    pool: Sequence[Candidate],
    k: int,
    rng: np.random.Generator,
    temperature: float = 0.1,
    *,
    normalise: bool = False,
    replace: bool = True,
) -> list[Candidate]:
    """``k`` draws from ``pool`` with probability proportional to exp(fitness / temperature) (failed
    candidates count as fitness -1). ``normalise``: fitness first rescaled to [0, 1] within the pool;
    ``replace=False``: at most ``len(pool)`` distinct members."""
    if not pool:
        return []
    fit = np.array([c.fitness() if np.isfinite(c.fitness()) else -1.0 for c in pool], dtype=float)
    logits = fit - fit.max()
    if normalise:
        logits = logits / max(fit.max() - fit.min(), 1e-12)
    w = np.exp(logits / max(temperature, 1e-6))
    idx = rng.choice(len(pool), size=k if replace else min(k, len(pool)), replace=replace, p=w / w.sum())
    return [pool[int(i)] for i in idx]
