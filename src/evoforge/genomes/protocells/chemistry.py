"""The GARD chemistry: ``types`` molecule types in an environment at equal concentrations, and the
catalysis matrix beta (types x types), beta[i, j] the rate enhancement a molecule of type j inside an
assembly exerts on type i joining it, drawn lognormal (ln beta ~ Normal(mu, sigma)): most entries tiny,
a few large, so a few mutually catalytic sets dominate.

The rates of an assembly with counts n (size N = sum n), after the GARD rate equation
dn_i/dt = (kf rho N - kb n_i)(1 + sum_j beta_ij n_j / N):

- joining of type i: ``kf`` N (1 + (beta n)_i / N) / types (kf folds in rho = 1 / types);
- leaving of type i: ``kb`` n_i (1 + (beta n)_i / N) (catalysis speeds both directions).

A molecule's catalytic *activity* (the trait the Price equation follows) is log10 of the mean
enhancement it exerts on joins, mean_i beta[i, j]: an assembly's growth rate per molecule rises with
its molecules' mean enhancement."""

from __future__ import annotations

import numpy as np


def catalysis(types: int, mu: float, sigma: float, seed: int) -> np.ndarray:
    """The lognormal catalysis matrix of a chemistry: (types, types), from its own ``seed``."""
    if types < 1:
        raise ValueError(f"types must be >= 1, got {types}")
    return np.exp(np.random.default_rng(seed).normal(mu, sigma, size=(types, types)))


def rates(counts: np.ndarray, beta: np.ndarray, kf: float, kb: float) -> tuple[np.ndarray, np.ndarray]:
    """Joining and leaving rates of each type in each assembly: ``counts`` (a, types) -> two (a, types)."""
    size = counts.sum(axis=-1, keepdims=True).astype(float)
    if (size <= 0).any():
        raise ValueError("rates: every assembly needs at least one molecule")
    enhancement = 1.0 + counts @ beta.T / size
    return kf * size * enhancement / counts.shape[-1], kb * counts * enhancement


def activity(beta: np.ndarray) -> np.ndarray:
    """Each type's catalytic activity: log10 of the mean enhancement it exerts on joining, (types,)."""
    return np.log10(beta.mean(axis=0))
