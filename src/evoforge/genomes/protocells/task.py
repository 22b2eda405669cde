"""Protocell tasks as values: the task is a GARD chemistry (molecule types, the lognormal catalysis
matrix from its own seed, the joining and leaving rate constants); a genome is the record of a population
of assemblies over a stretch of growth (the founders' molecules at its start, their descendants at its
end, the focal lineage's compositions at its splits, and what the recipe measured of the splits). The
task scores the record again with its own chemistry: the multilevel Price split of the change in mean
catalytic activity, and the focal lineage's fidelity and composomes. The score is the population's mean
catalytic activity at the end of the stretch."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option

from .chemistry import activity, catalysis
from .price import price
from .similarity import composomes, h_measure

INTS = ("generation", "assemblies", "size", "types", "splits")
FLOATS = ("time", "similarity")


def make_record(before: np.ndarray, after: np.ndarray, focal: list[np.ndarray], **measured: Any) -> dict[str, Any]:
    """The record of a stretch: founders' molecules ``before`` and descendants ``after`` (both (a, types)),
    the focal compositions, and ``measured`` (generation, time, size, compete, splits, fidelity,
    similarity ...) kept as given."""
    assemblies, types = before.shape
    return {**measured, "assemblies": assemblies, "types": types, "before": before.tolist(), "after": after.tolist(),
            "focal": [np.asarray(c).tolist() for c in focal]}  # fmt: skip


def check_record(record: Any) -> dict[str, Any]:
    """``record`` if it is a well-formed protocell record; else ValueError saying what is wrong (one line)."""
    if not isinstance(record, dict):
        raise ValueError(f"a protocell record is a dict, not {type(record).__name__}")
    for key in INTS:
        value = record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"protocell record: {key} must be a whole number >= 0, got {value!r}")
    for key in FLOATS:
        value = record.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"protocell record: {key} must be a finite number, got {value!r}")
    fidelity = record.get("fidelity")
    if fidelity is not None and not (isinstance(fidelity, (int, float)) and 0 <= fidelity <= 1 + 1e-9):
        raise ValueError(f"protocell record: fidelity must be in [0, 1] or null, got {fidelity!r}")
    shape = (record["assemblies"], record["types"])
    for key in ("before", "after"):
        if _counts(record.get(key), key).shape != shape:
            raise ValueError(f"protocell record: {key} must be {shape[0]} rows of {shape[1]} counts")
    focal = record.get("focal")
    if not isinstance(focal, list) or (focal and _counts(focal, "focal").shape[1] != record["types"]):
        raise ValueError(f"protocell record: focal must be a list of compositions of {record['types']} counts")
    return record


def _counts(rows: Any, key: str) -> np.ndarray:
    ok = isinstance(rows, list) and all(isinstance(r, list) for r in rows)
    if ok and rows and len({len(r) for r in rows}) == 1:
        ok = all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for r in rows for v in r)
        if ok:
            return np.array(rows, dtype=np.int64)
    raise ValueError(f"protocell record: {key} must be rows of whole numbers >= 0 of one length")


@dataclass(kw_only=True)
class ProtocellTask(TaskValue):
    """A GARD chemistry: ``beta`` (types x types) and each type's catalytic activity ``trait``."""

    kind: ClassVar[str] = "protocell"

    types: int = option(40, help="molecule types (N_G, the repertoire)")
    mu: float = option(-4.0, help="mean of ln beta (the catalysis matrix is lognormal)")
    sigma: float = option(4.0, help="standard deviation of ln beta (0: every type catalyses alike)")
    chemistry: int = option(1, help="seed of the catalysis matrix")
    kf: float = option(1.0, help="joining rate constant (environmental concentration folded in)")
    kb: float = option(0.01, help="leaving rate constant")
    beta: np.ndarray = field(init=False, repr=False, compare=False)
    trait: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.types <= 10_000:
            raise ValueError(f"types must be in [1, 10000], got {self.types}")
        for name, value, low in (("mu", self.mu, -math.inf), ("sigma", self.sigma, 0.0), ("kb", self.kb, 0.0)):
            if not (math.isfinite(value) and value >= low):
                raise ValueError(f"{name} must be finite{f' and >= {low:g}' if low > -math.inf else ''}, got {value}")
        if not (math.isfinite(self.kf) and self.kf > 0):
            raise ValueError(f"kf must be finite and > 0, got {self.kf}")
        self.beta = catalysis(self.types, self.mu, self.sigma, self.chemistry)
        self.trait = activity(self.beta)

    def initial(self) -> dict[str, Any]:
        """The record of 16 assemblies of 20 molecules drawn uniformly (a fixed draw), before any growth."""
        from .assemblies import start

        counts = start(16, self.types, 40, np.random.default_rng(0))
        return make_record(counts, counts, [], generation=0, time=0.0, size=40, compete=True, splits=0,
                           fidelity=None, similarity=1.0)  # fmt: skip

    def evaluate(self, genome: Any) -> dict[str, Any]:
        record = check_record(genome)
        if record["types"] != self.types:
            raise ValueError(
                f"protocell record: {record['types']} molecule types, the task's chemistry has {self.types}"
            )
        split = price(record["before"], record["after"], self.trait)
        focal = record["focal"]
        chain = [h_measure(a, b) for a, b in itertools.pairwise(focal)]
        found, share = composomes(focal)
        metrics = {
            "activity": round(split.after, 6), "activity_before": round(split.before, 6),
            "total": round(split.total, 6), "between": round(split.between, 6), "within": round(split.within, 6),
            "gap": float(f"{split.gap:.3g}"), "growth": round(split.fitness, 6),
            "fidelity": record.get("fidelity"), "focal_fidelity": round(float(np.mean(chain)), 4) if chain else None,
            "composomes": found, "in_composomes": round(share, 4), "similarity": record["similarity"],
        }  # fmt: skip
        return {"score": metrics["activity"], "metrics": metrics}
