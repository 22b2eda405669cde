"""Boolean-network tasks as values: a genome is the record of one generation of a population evolved on
the task's target (its fittest network and the population's fitness under the noise it was evolved at),
and the task scores the record again: the network's fitness without noise, at the task's ``noise`` (the
score) and at ``noise_high`` (robustness beyond what it may have been trained at), its error correction
(``heal``), redundancy and modularity (:mod:`.measure`). Every noisy score uses the task's own fixed
random stream, so a network scores the same in every run."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option

from . import measure
from .fitness import WORD, fitness, parse_target
from .network import as_json, from_json

EVAL_SEED = 20230325  # the task's noisy scores: one stream, apart from every run's seed
INTS = ("generation", "population", "nodes", "inputs")
FLOATS = ("noise", "fitness_best", "fitness_mean")


def make_record(
    wiring: np.ndarray, tables: np.ndarray, scores: np.ndarray, best: int, *, generation: int, noise: float, target: str
) -> dict[str, Any]:
    """The record of a population (``wiring`` (p, n, k), ``tables``) whose fitness under ``noise`` is
    ``scores``, with its network ``best``."""
    p, n, k = wiring.shape
    return {"generation": generation, "noise": noise, "population": p, "nodes": n, "inputs": k, "target": target,
            "fitness_best": round(float(scores[best]), 5), "fitness_mean": round(float(scores.mean()), 5),
            "best": as_json(wiring[best], tables[best])}  # fmt: skip


def check_record(record: Any) -> dict[str, Any]:
    """``record`` if it is a well-formed boolnet record; else ValueError saying what is wrong (one line)."""
    if not isinstance(record, dict):
        raise ValueError(f"a boolnet record is a dict, not {type(record).__name__}")
    for key in INTS:
        value = record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"boolnet record: {key} must be a whole number >= 0, got {value!r}")
    for key in FLOATS:
        value = record.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"boolnet record: {key} must be a finite number, got {value!r}")
    wiring, _ = from_json(record.get("best"))
    if wiring.shape != (record["nodes"], record["inputs"]):
        raise ValueError(f"boolnet record: best has {wiring.shape[0]} nodes of {wiring.shape[1]} inputs, "
                         f"the record says {record['nodes']} of {record['inputs']}")  # fmt: skip
    return record


@dataclass(kw_only=True)
class BoolnetTask(TaskValue):
    """A target cycle on a network's output nodes, and the noise its networks are scored under."""

    kind: ClassVar[str] = "boolnet"

    target: str = option("0011,0110", help="the output nodes' cycle: one string of 0/1 per output, one length")
    steps: int = option(48, help="steps of a run")
    runs: int = option(64, help="noisy runs a fitness averages (1 to 64)")
    noise: float = option(0.02, help="chance a node's update flips: the score's noise")
    noise_high: float = option(0.04, help="a higher noise: the robustness measure")

    def __post_init__(self) -> None:
        parse_target(self.target)
        if self.steps < 1:
            raise ValueError(f"steps must be >= 1, got {self.steps}")
        if not 1 <= self.runs <= WORD:
            raise ValueError(f"runs must be in [1, {WORD}], got {self.runs}")
        for name in ("noise", "noise_high"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value <= 0.5):
                raise ValueError(f"{name} must be in [0, 0.5], got {value}")

    @property
    def cycle(self) -> np.ndarray:
        """The target as a (T, m) array."""
        return parse_target(self.target)

    def fitness(self, wiring: np.ndarray, tables: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
        """The fitness of networks (one or a population) on this task at ``noise``."""
        return fitness(wiring, tables, self.cycle, steps=self.steps, runs=self.runs, noise=noise, rng=rng)

    def initial(self) -> dict[str, Any]:
        """The record of 64 random networks of 24 nodes with 3 inputs (a fixed draw), scored without noise."""
        rng = np.random.default_rng(0)
        wiring = rng.integers(0, 24, size=(64, 24, 3), dtype=np.int64)
        tables = rng.integers(0, 2, size=(64, 24, 8), dtype=np.uint8)
        scores = self.fitness(wiring, tables, 0.0, rng)
        best = int(np.argmax(scores))
        return make_record(wiring, tables, scores, best, generation=0, noise=0.0, target=self.target)

    def evaluate(self, genome: Any) -> dict[str, Any]:
        record = check_record(genome)
        if record.get("target") != self.target:
            raise ValueError(
                f"boolnet record: evolved for target {record.get('target')!r}, the task's is {self.target!r}"
            )
        wiring, tables = from_json(record["best"])
        outputs, period = self.cycle.shape[1], self.cycle.shape[0]
        if outputs > len(wiring):
            raise ValueError(f"boolnet record: {len(wiring)} nodes cannot hold {outputs} outputs")
        rng = np.random.default_rng(EVAL_SEED)
        levels = (0.0, self.noise, self.noise_high)
        clean, noisy, high = (float(self.fitness(wiring, tables, p, rng)[0]) for p in levels)
        q_used, q_all, modules = measure.modularity(wiring, tables, outputs)
        metrics = {
            "fitness_clean": round(clean, 5), "fitness_noise": round(noisy, 5), "fitness_high": round(high, 5),
            "heal": round(measure.heal(wiring, tables, period, outputs), 4),
            "redundancy": round(measure.redundancy(wiring, tables, period, outputs), 4),
            "modularity": round(q_used, 4), "modularity_all": round(q_all, 4), "modules": modules,
            "functional": int(measure.functional(wiring, tables, outputs).sum()),
        }  # fmt: skip
        return {"score": metrics["fitness_noise"], "metrics": metrics}
