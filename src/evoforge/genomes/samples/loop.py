"""The steps of a self-consuming loop, after "Self-Consuming Generative Models Go MAD" (Alemohammad et
al., 2024): what the next generation trains on in each **regime**

- ``fully-synthetic``: only the previous generation's samples;
- ``augmentation``: those samples plus a fixed set of the original real data (the same every generation);
- ``fresh``: those samples plus new real data drawn for this generation;

and the **corrections** of "Self-Correcting Self-Consuming Loops for Generative Model Training" (Gillman
et al., 2024), applied to the samples before they are trained on, at strength s in [0, 1]:

- ``projection`` (an expert projection): each sample moved a fraction s of the way to its nearest point
  of an expert's reference set of real data (s = 1 snaps it onto that point);
- ``ideal`` (the paper's idealised corrector, a blend of the model's distribution with the true one):
  each sample replaced, with probability s, by a draw from the true distribution."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

REGIMES = ("fully-synthetic", "augmentation", "fresh")
CORRECTIONS = ("projection", "ideal")


def training_set(regime: str, synthetic: np.ndarray, real: np.ndarray | None) -> np.ndarray:
    """What the next generation trains on: ``synthetic``, plus ``real`` (the fixed or fresh real points)
    unless the regime is fully synthetic."""
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {', '.join(REGIMES)}, got {regime!r}")
    if regime == "fully-synthetic" or real is None or len(real) == 0:
        return synthetic
    return np.concatenate([real, synthetic])


def project(samples: np.ndarray, reference: np.ndarray, strength: float) -> np.ndarray:
    """Each sample moved ``strength`` of the way towards its nearest point of ``reference``."""
    _check_strength(strength)
    if strength == 0:
        return samples
    nearest = np.empty(len(samples), dtype=int)
    ref_norms = np.einsum("ij,ij->i", reference, reference)
    for start in range(0, len(samples), 1024):
        block = samples[start : start + 1024]
        nearest[start : start + len(block)] = (ref_norms[None, :] - 2.0 * block @ reference.T).argmin(axis=1)
    return samples + strength * (reference[nearest] - samples)


def ideal(
    samples: np.ndarray, strength: float, true_draw: Callable[[int], np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """Each sample replaced, with probability ``strength``, by one of ``true_draw(n)``'s points."""
    _check_strength(strength)
    swap = rng.random(len(samples)) < strength
    out = samples.copy()
    if swap.any():
        out[swap] = true_draw(int(swap.sum()))
    return out


def _check_strength(strength: float) -> None:
    if not 0 <= strength <= 1:
        raise ValueError(f"correction strength must be in [0, 1], got {strength!r}")
