"""A program task whose every evaluation takes the same known time: ``cost`` seconds (default 0.5),
the program's own run in the sandbox included. The concurrency benchmark's task: the model side is a
fixed-latency stub, so the evaluation side must be known too."""

from __future__ import annotations

import time
from typing import Any

from evoforge.programs.task import ProgramTask

COST = 0.5


def configure(cost: float = 0.5) -> None:
    global COST
    COST = float(cost)


def _score(outputs: list[Any]) -> float:
    return -abs(float(outputs[0]) - 42.0)


TASK = ProgramTask(
    seed="def solve(x):\n    return x\n",
    description="solve(3) should return 42",
    score=_score,
    cases=[[3]],
)


def evaluate(genome: Any) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        return TASK.evaluate(genome)
    finally:
        time.sleep(max(0.0, COST - (time.perf_counter() - start)))
