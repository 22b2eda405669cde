"""Soup tasks as values: a genome is a record of a soup's dynamics over some epochs (what the recipe
measured: entropies, distinct bytes and tapes, operations per interaction, the most common tape), and
the task scores the record again: its high-order entropy is the score, checked against its parts, and
the most common tape is run again to see whether it copies itself (``top_copies``). Nothing here loads
numba or brotli until a soup is measured or a record scored (``evoforge list`` imports every task)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.task_value import TaskValue

INTS = ("epoch", "epochs", "tapes", "length", "steps", "unique_bytes", "unique_tapes", "top_count")
FLOATS = ("mutation", "ops", "shannon", "complexity", "high_order")


def make_record(soup: Any, *, epoch: int, epochs: int, steps: int, mutation: float, ops: float) -> dict[str, Any]:
    """The record of ``soup`` (tapes x bytes) after ``epoch`` epochs, ``epochs`` of them since the last
    record, at ``ops`` operations per interaction on average over those."""
    from .measure import measure  # numba and brotli load only when a soup is measured

    tapes, length = soup.shape
    run = {"epoch": epoch, "epochs": epochs, "tapes": tapes, "length": length, "steps": steps, "mutation": mutation}
    return {**run, "ops": round(float(ops), 3), **measure(soup)}


def check_record(record: Any) -> dict[str, Any]:
    """``record`` if it is a well-formed soup record; else ValueError saying what is wrong (one line)."""
    if not isinstance(record, dict):
        raise ValueError(f"a soup record is a dict, not {type(record).__name__}")
    for key in INTS:
        value = record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"soup record: {key} must be a whole number >= 0, got {value!r}")
    for key in FLOATS:
        value = record.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"soup record: {key} must be a finite number, got {value!r}")
    if abs(record["shannon"] - record["complexity"] - record["high_order"]) > 1e-5:
        raise ValueError("soup record: high_order is not shannon - complexity")
    top = record.get("top")
    if not isinstance(top, str) or len(top) != 2 * record["length"]:
        raise ValueError(f"soup record: top must be the most common tape as {2 * record['length']} hex digits")
    try:
        bytes.fromhex(top)
    except ValueError:
        raise ValueError("soup record: top is not hex") from None
    return record


@dataclass(kw_only=True)
class SoupTask(TaskValue):
    """A task whose genomes are records of a soup (``evoforge.genomes.soups``); score: high-order entropy."""

    kind: ClassVar[str] = "soup"

    def evaluate(self, genome: Any) -> dict[str, Any]:
        from .replication import copy_share  # the interpreter loads numba: only when a record is scored

        record = check_record(genome)
        top = bytes.fromhex(record["top"])
        metrics = {
            "top_copies": round(copy_share(top, record["steps"]), 4),
            "top_share": round(record["top_count"] / max(1, record["tapes"]), 6),
        }
        return {"score": record["high_order"], "metrics": metrics}
