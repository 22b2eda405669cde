"""Sample tasks as values: a genome is the record of one generation of a self-consuming loop (its points
and how they were made), and the task is the real distribution that scores it. ``evaluate`` measures the
points against the task's held-out real data: precision and recall by k-NN manifolds (``score`` is their
harmonic mean) and the mean pairwise distance (``diversity``) beside the held-out data's own."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option
from evoforge.monitors import diversity, precision_recall

HELD_OUT_SEED = 20240131  # the held-out real data's own stream, apart from every run's seed
SOURCES = ("real", "model")


def make_record(points: np.ndarray, *, generation: int, source: str, **how: Any) -> dict[str, Any]:
    """The record of ``points`` (n x d) of ``generation`` (0: the real training data, ``source`` real);
    ``how``: what made them (regime, bias, correction ...), kept as given."""
    rounded = np.round(np.asarray(points, dtype=float), 5).tolist()
    return {"generation": generation, "source": source, **how, "points": rounded}


def check_record(record: Any, *, at_least: int = 4) -> dict[str, Any]:
    """``record`` if it is a well-formed samples record; else ValueError saying what is wrong (one line)."""
    if not isinstance(record, dict):
        raise ValueError(f"a samples record is a dict, not {type(record).__name__}")
    generation = record.get("generation")
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        raise ValueError(f"samples record: generation must be a whole number >= 0, got {generation!r}")
    if record.get("source") not in SOURCES:
        raise ValueError(f"samples record: source must be one of {', '.join(SOURCES)}, got {record.get('source')!r}")
    pts = record.get("points")
    if not isinstance(pts, list) or len(pts) < at_least:
        raise ValueError(f"samples record: points must be a list of at least {at_least} points")
    width = len(pts[0]) if isinstance(pts[0], list) else 0
    for p in pts:
        if not isinstance(p, list) or len(p) != width or width == 0:
            raise ValueError("samples record: every point must be a list of numbers of one length")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p):
            raise ValueError("samples record: a coordinate is not a finite number")
    return record


@dataclass(kw_only=True)
class SampleTask(TaskValue):
    """A real distribution whose genomes are records of generated samples: ``real(n, rng)`` draws from it
    (the loop's real data); records are scored against ``held_out`` points it drew once."""

    kind: ClassVar[str] = "samples"

    held_out: int = option(1000, help="held-out real points the samples are scored against")
    k: int = option(3, help="neighbours of the k-NN manifolds of precision and recall")
    _held: tuple[np.ndarray, float] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be >= 1, got {self.k}")
        if self.held_out < self.k + 1:
            raise ValueError(f"held_out must be at least k + 1 = {self.k + 1}, got {self.held_out}")

    def real(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points of the real distribution (n x d)."""
        raise NotImplementedError

    def held_out_points(self) -> tuple[np.ndarray, float]:
        """The held-out real points (the same for every run of this task value) and their diversity."""
        if self._held is None:
            points = self.real(self.held_out, np.random.default_rng(HELD_OUT_SEED))
            self._held = (points, diversity(points))
        return self._held

    def initial(self) -> dict[str, Any]:
        """The record of 500 real points (a fixed draw): what a perfect generator would score."""
        return make_record(self.real(500, np.random.default_rng(0)), generation=0, source="real")

    def evaluate(self, genome: Any) -> dict[str, Any]:
        record = check_record(genome, at_least=self.k + 1)
        pts, (held, held_diversity) = np.asarray(record["points"], dtype=float), self.held_out_points()
        if pts.shape[1] != held.shape[1]:
            raise ValueError(f"samples record: points have {pts.shape[1]} coordinates, the task's {held.shape[1]}")
        precision, recall = precision_recall(held, pts, self.k)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics = {"precision": round(precision, 4), "recall": round(recall, 4),
                   "diversity": round(diversity(pts), 4), "real_diversity": round(held_diversity, 4)}  # fmt: skip
        return {"score": round(f1, 4), "metrics": metrics}
