"""pyribs' sphere linear-projection QD benchmark ("Covariance Matrix Adaptation for the Rapid
Illumination of Behavior Space", Fontaine et al., 2020): the sphere shifted to 0.4 * 5.12, objective
normalised to [0, 100]; the two descriptors are the sums of the first and second halves of the genome,
each coordinate outside [-5.12, 5.12] replaced by 5.12 / x_i. Descriptor bounds +-(dim / 2) * 5.12."""

from __future__ import annotations

import numpy as np

DESCRIPTION = "QD sphere with linear-projection descriptors (option dim, default 100)"


def configure(dim: int = 100) -> None:
    global DIM, SEED, DESCRIPTOR_BOUNDS, _WORST
    if int(dim) < 2:
        raise ValueError("dim must be >= 2")
    DIM, SEED = int(dim), [0.0] * int(dim)
    bound = DIM / 2 * 5.12
    DESCRIPTOR_BOUNDS = [(-bound, bound), (-bound, bound)]
    _WORST = (-5.12 - 0.4 * 5.12) ** 2 * DIM


def evaluate_array(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and descriptors of a batch of rows (the engine's array path)."""
    x = np.atleast_2d(x)
    raw = -np.sum((x - 0.4 * 5.12) ** 2, axis=1)
    objective = (raw + _WORST) / _WORST * 100.0
    clipped = np.where(np.abs(x) > 5.12, 5.12 / np.where(x == 0, 1.0, x), x)
    half = x.shape[1] // 2
    desc = np.stack([clipped[:, :half].sum(axis=1), clipped[:, half:].sum(axis=1)], axis=1)
    return objective, desc


def evaluate_batch(genomes) -> list[dict]:
    obj, desc = evaluate_array(np.asarray(genomes, dtype=float))
    return [{"score": float(o), "descriptors": [float(d[0]), float(d[1])]} for o, d in zip(obj, desc)]


def evaluate(genome) -> dict:
    x = np.asarray(genome, dtype=float)
    raw = -float(np.dot(x - 2.048, x - 2.048))
    clipped = np.where(np.abs(x) > 5.12, 5.12 / np.where(x == 0, 1.0, x), x)
    half = x.size // 2
    return {
        "score": (raw + _WORST) / _WORST * 100.0,
        "descriptors": [float(clipped[:half].sum()), float(clipped[half:].sum())],
    }


configure()
