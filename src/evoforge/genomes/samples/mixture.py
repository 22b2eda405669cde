"""The generative model of the self-consuming loop: a Gaussian mixture a CPU fits in a fraction of a
second (scikit-learn's ``GaussianMixture``, full covariances), kept as plain arrays, and sampled with a
**sampling bias** lambda in (0, 1]: each component's covariance scaled by lambda, the temperature knob of
"Self-Consuming Generative Models Go MAD" (lambda = 1 samples the fitted model; lambda < 1 keeps samples
nearer the modes: higher quality, less diversity). scikit-learn comes with ``evoforge[dynamics]``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mixture:
    """A fitted Gaussian mixture: ``weights`` (K,), ``means`` (K, d), ``covariances`` (K, d, d)."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray


def available() -> bool:
    """Whether scikit-learn (the mixture's fitting) is installed."""
    try:
        import sklearn.mixture  # noqa: F401
    except ImportError:
        return False
    return True


def fit(points: np.ndarray, components: int, seed: int) -> Mixture:
    """The mixture of ``components`` Gaussians fitted to ``points`` by EM (k-means start, seeded)."""
    from sklearn.mixture import GaussianMixture

    if len(points) < components:
        raise ValueError(f"{components} mixture components need at least {components} points, got {len(points)}")
    model = GaussianMixture(components, covariance_type="full", random_state=seed).fit(points)
    return Mixture(model.weights_.copy(), model.means_.copy(), model.covariances_.copy())


def sample(mixture: Mixture, n: int, rng: np.random.Generator, bias: float = 1.0) -> np.ndarray:
    """``n`` points from ``mixture`` with sampling bias ``bias`` (covariances times ``bias``, in (0, 1])."""
    if not 0 < bias <= 1:
        raise ValueError(f"sampling bias must be in (0, 1], got {bias!r}")
    weights = mixture.weights / mixture.weights.sum()
    which = rng.choice(len(weights), size=n, p=weights)
    chol = np.linalg.cholesky(mixture.covariances)
    noise = rng.standard_normal((n, mixture.means.shape[1]))
    return mixture.means[which] + np.sqrt(bias) * np.einsum("nij,nj->ni", chol[which], noise)
