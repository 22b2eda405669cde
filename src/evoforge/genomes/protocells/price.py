"""The multilevel Price equation, molecules as individuals and assemblies as groups ("Chemical heredity
as group selection at the molecular level").

Group k (an assembly at the start of a stretch) has N_k molecules of mean trait Z_k; at its end its
descendants (the molecules of every assembly of its lineage) number N'_k with mean trait Z'_k. With
weights q_k = N_k / N, group fitness w_k = N'_k / N_k and w = sum q_k w_k, the change of the population's
mean trait splits exactly into

    delta Z = Cov_q(w, Z) / w  +  E_q(w delta Z_k) / w
            = between-group selection + within-group change (transmission)

The first term is selection between assemblies (those whose molecules catalyse more grow and split
more); the second collects everything that changes the trait inside lineages: which molecules join,
leave and which half of a split is kept. A lineage that died out (N'_k = 0) has w_k = 0 and no second
term."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PriceSplit:
    """The change of the mean trait and its two terms; ``gap``: total - (between + within), ~1e-15."""

    before: float
    after: float
    total: float
    between: float
    within: float
    fitness: float  # w, the population's growth factor in molecules

    @property
    def gap(self) -> float:
        return self.total - self.between - self.within

    def as_json(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


def group_means(counts: np.ndarray, trait: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each group's molecules and mean trait (0 for an empty group): ``counts`` (g, types), ``trait`` (types,)."""
    sizes = counts.sum(axis=1).astype(float)
    means = np.where(sizes > 0, (counts @ trait) / np.maximum(sizes, np.finfo(float).tiny), 0.0)
    return sizes, means


def price(before: Any, after: Any, trait: Any) -> PriceSplit:
    """The split for groups whose molecules were ``before`` (g, types) and whose descendants are ``after``
    (g, types), molecules of type i having trait ``trait[i]``; ValueError (one line) on bad input."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    trait = np.asarray(trait, dtype=float)
    if before.ndim != 2 or before.shape != after.shape or trait.shape != (before.shape[1],):
        raise ValueError(f"price: before {before.shape}, after {after.shape} and trait {trait.shape} do not match")
    if (before < 0).any() or (after < 0).any() or not np.isfinite(trait).all():
        raise ValueError("price: counts must be >= 0 and traits finite")
    n0, z0 = group_means(before, trait)
    n1, z1 = group_means(after, trait)
    if n0.sum() <= 0 or n1.sum() <= 0:
        raise ValueError("price: the population must hold molecules before and after")
    if ((n0 == 0) & (n1 > 0)).any():
        raise ValueError("price: a group with no molecules before cannot have descendants")
    q = n0 / n0.sum()
    w = np.where(n0 > 0, n1 / np.maximum(n0, np.finfo(float).tiny), 0.0)
    wbar = float(q @ w)
    mean0, mean1 = float(q @ z0), float(n1 @ z1 / n1.sum())
    between = float(q @ (w * z0) - wbar * mean0) / wbar
    within = float(q @ (w * np.where(n1 > 0, z1 - z0, 0.0))) / wbar
    return PriceSplit(before=mean0, after=mean1, total=mean1 - mean0, between=between, within=within, fitness=wbar)
