"""Planar robotic arm repertoire, the standard quality-diversity benchmark (as in "Robots that can adapt
like animals", Cully et al., 2015, and pyribs' arm tutorial): ``dim`` joint angles in [-pi, pi] of an
arm whose links sum to length 1. Descriptors = the end effector (x, y); score = -std of the joint
angles (smooth, comfortable postures are better)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option


def forward(angles: np.ndarray) -> np.ndarray:
    """End effector positions of a batch of joint-angle rows, shape (batch, 2)."""
    a = np.atleast_2d(angles)
    cum = np.cumsum(a, axis=1)
    link = 1.0 / a.shape[1]
    return np.stack([link * np.cos(cum).sum(axis=1), link * np.sin(cum).sum(axis=1)], axis=1)


def arm_array(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and end effectors of a batch of angle rows (the engine's array path)."""
    a = np.clip(np.atleast_2d(np.asarray(rows, dtype=float)), -np.pi, np.pi)
    return -a.std(axis=1), forward(a)


@dataclass(kw_only=True)
class PlanarArm(TaskValue):
    kind: ClassVar[str] = "vector"
    description: str = "planar arm with dim joints (default 10); descriptors = end effector (x, y)"
    dim: int = option(10, help="number of joints")
    bounds = (-np.pi, np.pi)
    descriptor_bounds = ((-1.0, 1.0), (-1.0, 1.0))
    descriptor_names = ("end effector x", "end effector y")

    def __post_init__(self) -> None:
        if self.dim < 1:
            raise ValueError("dim must be >= 1")

    def initial(self) -> list[float]:
        return [0.0] * self.dim

    def evaluate_array(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return arm_array(rows)

    def evaluate_batch(self, genomes) -> list[dict]:
        scores, ends = arm_array(np.asarray(genomes, dtype=float))
        return [{"score": float(s), "descriptors": [float(e[0]), float(e[1])]} for s, e in zip(scores, ends)]

    def evaluate(self, genome) -> dict:
        return self.evaluate_batch([genome])[0]


TASK = PlanarArm()
