"""A program task whose every evaluation does a known amount of work: ``cost`` CPU-seconds of busy
computation (default 0.25) besides running the program in the sandbox. The concurrency benchmark's
task: the model side is a fixed-latency stub, so the evaluation side must be known too. With ``log``
each evaluation appends its end time to that file (JSON lines), so wall times can be compared
across systems that log the same way."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from evoforge.core.task_value import option
from evoforge.genomes.programs.task import ProgramTask

PROGRAM = "# EVOLVE-BLOCK-START\ndef solve(x):\n    return x\n# EVOLVE-BLOCK-END\n"


def burn(seconds: float) -> None:
    """Busy computation for ``seconds`` of this process's CPU time (slower in wall time on busy cores)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def _score(outputs: list[Any]) -> float:
    return -abs(float(outputs[0]) - 42.0)


@dataclass(kw_only=True)
class FixedCost(ProgramTask):
    cost: float = option(0.25, help="CPU-seconds of busy computation per evaluation")
    log: str = option("", help="a file each evaluation appends its end time to (JSON lines)")

    def evaluate(self, genome: Any) -> dict[str, Any]:
        burn(self.cost)
        try:
            return super().evaluate(genome)
        finally:
            if self.log:
                with open(self.log, "a") as fh:
                    fh.write(json.dumps({"t": time.time(), "seed": genome == PROGRAM}) + "\n")


TASK = FixedCost(seed=PROGRAM, description="solve(3) should return 42", score=_score, cases=[[3]])
