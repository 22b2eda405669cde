"""Compositional similarity, GARD's H-measure: the cosine of the angle between two composition vectors
(counts per molecule type), 1 for the same proportions, 0 for no type in common. The *carpet* is the
matrix of H between the compositions of one lineage at its successive splits: quasi-stationary
compositions that the lineage keeps or returns to (*composomes*) show as bright blocks.

:func:`composomes` finds them by leader clustering: each composition joins the first cluster whose
first member it matches at H >= ``threshold`` (default 0.9), else starts a cluster; clusters of at least
``at_least`` members are composomes."""

from __future__ import annotations

from typing import Any

import numpy as np


def h_measure(a: Any, b: Any) -> float:
    """H of two compositions (0 when either is empty)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    norm = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b / norm) if norm > 0 else 0.0


def carpet(compositions: Any) -> np.ndarray:
    """H between every pair of ``compositions`` (rows): a symmetric (m, m) matrix with ones on the diagonal."""
    x = np.asarray(compositions, dtype=float)
    if x.ndim != 2 or len(x) == 0:
        return np.zeros((0, 0))
    norms = np.linalg.norm(x, axis=1)
    norms[norms == 0] = 1.0
    unit = x / norms[:, None]
    return np.clip(unit @ unit.T, 0.0, 1.0)


def mean_pairwise(compositions: Any) -> float:
    """The mean H over distinct pairs of ``compositions`` (how alike a population is); 1.0 for one."""
    c = carpet(compositions)
    if len(c) < 2:
        return 1.0
    return float(c[np.triu_indices(len(c), 1)].mean())


def composomes(compositions: Any, *, threshold: float = 0.9, at_least: int = 3) -> tuple[int, float]:
    """How many composomes the compositions fall into, and the share of compositions inside one."""
    c = carpet(compositions)
    leaders: list[int] = []
    members: list[int] = []
    for i in range(len(c)):
        for k, lead in enumerate(leaders):
            if c[i, lead] >= threshold:
                members[k] += 1
                break
        else:
            leaders.append(i)
            members.append(1)
    big = [m for m in members if m >= at_least]
    return len(big), (sum(big) / len(c) if len(c) else 0.0)
