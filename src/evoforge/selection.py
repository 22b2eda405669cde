"""Parent selection over candidates of any genome kind (they are ranked by ``Candidate.fitness``)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .candidate import Candidate


def tournament(pool: Sequence[Candidate], k: int, rng: np.random.Generator, size: int = 2) -> list[Candidate]:
    """``k`` winners of tournaments among ``size`` candidates drawn uniformly (with replacement)."""
    if not pool:
        return []
    picks = rng.integers(0, len(pool), size=(k, size))
    return [max((pool[i] for i in row), key=lambda c: (c.fitness(), -c.id)) for row in picks]


def ranked(pool: Sequence[Candidate]) -> list[Candidate]:
    """Best first; ties broken by age (older first) so ordering is deterministic."""
    return sorted(pool, key=lambda c: (-c.fitness(), c.id))


def truncation(pool: Sequence[Candidate], keep: int) -> list[Candidate]:
    """The ``keep`` best candidates."""
    return ranked(pool)[:keep]


def uniform(pool: Sequence[Candidate], k: int, rng: np.random.Generator) -> list[Candidate]:
    if not pool:
        return []
    return [pool[i] for i in rng.integers(0, len(pool), size=k)]
