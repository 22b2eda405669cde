"""Quine tasks as values: the task is the auxiliary problem a quine may also learn (its training and
held-out data); a genome is the record of a quine network at some training step (its sizes, the seed of
its projection, its weights, what training measured). The task scores the weights again: the
self-replication error, the regeneration loop from them (how far each copy of a copy drifts), the
spectral radius of the regeneration map, and accuracy on held-out data. The score is -log10 of the
self-replication error (about 0 for a random net, 2 for an error of 1 %)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option

from . import net
from .train import accuracy

INTS = ("step", "embed", "hidden", "aux", "classes", "projection")
REGENERATIONS = 8  # copies of copies the task makes of a record's weights
SPECTRAL_UP_TO = 2000  # weights up to which the task measures the regeneration map's spectral radius
LIFE = 0.5  # a copy "resembles" the original while its relative distance stays below this


def make_record(shape: net.Shape, theta: np.ndarray, *, step: int, seed: int, **measured: Any) -> dict[str, Any]:
    """The record of weights ``theta`` of a network of ``shape`` with projection seed ``seed`` at ``step``;
    ``measured`` (training losses, loss weights) kept as given."""
    sizes = {"embed": shape.embed, "hidden": shape.hidden, "aux": shape.aux, "classes": shape.classes}
    return {"step": step, **sizes, "projection": seed, **measured, "weights": [round(float(w), 9) for w in theta]}


def check_record(record: Any) -> tuple[dict[str, Any], net.Shape, np.ndarray]:
    """``record``, its shape and weights if it is a well-formed quine record; else ValueError (one line)."""
    if not isinstance(record, dict):
        raise ValueError(f"a quine record is a dict, not {type(record).__name__}")
    for key in INTS:
        value = record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"quine record: {key} must be a whole number >= 0, got {value!r}")
    shape = net.Shape(record["embed"], record["hidden"], record["aux"], record["classes"])
    weights = record.get("weights")
    if not isinstance(weights, list) or len(weights) != shape.weights:
        raise ValueError(f"quine record: weights must be a list of {shape.weights} numbers for its sizes")
    if not all(isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w) for w in weights):
        raise ValueError("quine record: a weight is not a finite number")
    return record, shape, np.array(weights, dtype=float)


def regeneration(shape: net.Shape, theta: np.ndarray, queries: np.ndarray) -> dict[str, Any]:
    """What the regeneration loop does from ``theta``: each copy's relative distance from theta, how many
    copies stay within LIFE of it, and the last copy's norm relative to theta's (>1: it blew up; ~0: it
    fell to the trivial all-zero quine); none of them for all-zero weights."""
    norm = float(np.linalg.norm(theta))
    if norm == 0:  # the trivial quine: every copy is zero too, and no distance is relative to anything
        return {"drift": [], "lifetime": None, "last_norm": None}
    copies = net.regenerate(shape, theta, queries, REGENERATIONS)
    drift = [float(np.linalg.norm(c - theta)) / norm for c in copies[1:]]
    life = next((i for i, d in enumerate(drift) if not d < LIFE), len(drift))
    return {"drift": [round(d, 4) for d in drift], "lifetime": life,
            "last_norm": round(float(np.linalg.norm(copies[-1])) / norm, 4)}  # fmt: skip


@dataclass(kw_only=True)
class QuineTask(TaskValue):
    """An auxiliary classification problem: ``data(split)`` gives (points, labels) of the training or
    held-out split; its sizes fix a quine's ``aux`` inputs and ``classes``."""

    kind: ClassVar[str] = "quine"
    aux: ClassVar[int] = 2
    classes: ClassVar[int] = 2

    points: int = option(256, help="training points of the auxiliary task")
    held_out: int = option(512, help="held-out points accuracy is measured on")

    def __post_init__(self) -> None:
        for name in ("points", "held_out"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")

    def data(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """(points, labels) of ``split``: ``train`` or ``held-out``."""
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        """The record of a random network (16 embedding, 16 hidden; fixed seeds), before training."""
        shape = net.Shape(16, 16, self.aux, self.classes)
        theta = net.initial(shape, np.random.default_rng(0))
        return make_record(shape, theta, step=0, seed=0)

    def evaluate(self, genome: Any) -> dict[str, Any]:
        record, shape, theta = check_record(genome)
        if (shape.aux, shape.classes) != (self.aux, self.classes):
            raise ValueError(f"quine record: {shape.aux} inputs and {shape.classes} classes, the task's "
                             f"{self.aux} and {self.classes}")  # fmt: skip
        queries = net.weight_queries(shape, net.projection(shape, record["projection"]))
        error = net.replication_error(shape, theta, queries)
        points, labels = self.data("held-out")
        metrics = {
            "replication_error": round(error, 6), "norm": round(float(np.linalg.norm(theta)), 4),
            **regeneration(shape, theta, queries),
            "spectral_radius": round(net.spectral_radius(shape, theta, queries), 4)
            if shape.weights <= SPECTRAL_UP_TO else None,
            "accuracy": round(accuracy(shape, theta, (net.data_queries(shape, points), labels)), 4),
        }  # fmt: skip
        score = -math.log10(max(error, 1e-12)) if error < math.inf else -12.0  # inf: all-zero weights
        return {"score": round(score, 6), "metrics": metrics}
