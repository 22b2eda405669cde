"""pyribs' sphere linear-projection QD benchmark ("Covariance Matrix Adaptation for the Rapid
Illumination of Behavior Space", Fontaine et al., 2020): the sphere shifted to 0.4 * 5.12, objective
normalised to [0, 100]; the two descriptors are the sums of the first and second halves of the genome,
each coordinate outside [-5.12, 5.12] replaced by 5.12 / x_i. Descriptor bounds +-(dim / 2) * 5.12."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option


def projection_array(x: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and descriptors of a batch of rows (the engine's array path)."""
    worst = _worst(dim)
    x = np.atleast_2d(x)
    raw = -np.sum((x - 0.4 * 5.12) ** 2, axis=1)
    objective = (raw + worst) / worst * 100.0
    clipped = np.where(np.abs(x) > 5.12, 5.12 / np.where(x == 0, 1.0, x), x)
    half = x.shape[1] // 2
    desc = np.stack([clipped[:, :half].sum(axis=1), clipped[:, half:].sum(axis=1)], axis=1)
    return objective, desc


def _worst(dim: int) -> float:
    return (-5.12 - 0.4 * 5.12) ** 2 * dim


@dataclass(kw_only=True)
class SphereProjection(TaskValue):
    kind: ClassVar[str] = "vector"
    description: str = "QD sphere with linear-projection descriptors (option dim, default 100)"
    dim: int = option(100, help="dimension (>= 2)")

    def __post_init__(self) -> None:
        if self.dim < 2:
            raise ValueError("dim must be >= 2")

    def initial(self) -> list[float]:
        return [0.0] * self.dim

    @property
    def descriptor_bounds(self) -> list[tuple[float, float]]:  # type: ignore[override]
        bound = self.dim / 2 * 5.12
        return [(-bound, bound), (-bound, bound)]

    def evaluate_array(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return projection_array(x, self.dim)

    def evaluate_batch(self, genomes) -> list[dict]:
        obj, desc = projection_array(np.asarray(genomes, dtype=float), self.dim)
        return [{"score": float(o), "descriptors": [float(d[0]), float(d[1])]} for o, d in zip(obj, desc)]

    def evaluate(self, genome) -> dict:
        worst = _worst(self.dim)
        x = np.asarray(genome, dtype=float)
        raw = -float(np.dot(x - 2.048, x - 2.048))
        clipped = np.where(np.abs(x) > 5.12, 5.12 / np.where(x == 0, 1.0, x), x)
        half = x.size // 2
        return {
            "score": (raw + worst) / worst * 100.0,
            "descriptors": [float(clipped[:half].sum()), float(clipped[half:].sum())],
        }


TASK = SphereProjection()
