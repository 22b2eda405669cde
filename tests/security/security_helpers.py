"""A tiny scripted model for the security tests: a real Model subclass (real usage meter, budget and
response cache), answering meeting-scheduling prompts from the request alone, so answers are
reproducible and cacheable. Only for tests."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import evoforge
from evoforge.llm.base import Model
from evoforge.llm.types import Completion, Request

SRC = str(Path(evoforge.__file__).resolve().parents[1])


class SlotModel(Model):
    """Proposes a random half-hour slot (seeded by the request), or a short critique.
    ``interrupt_after``: raise KeyboardInterrupt at that real call, as a Ctrl-C or kill would."""

    backend = "slots"

    def __init__(self, *, interrupt_after: int | None = None, **kw: object) -> None:
        super().__init__("slots", **kw)  # type: ignore[arg-type]
        self.generated = 0
        self.interrupt_after = interrupt_after

    def _generate(self, req: Request) -> list[Completion]:
        if self.interrupt_after is not None and self.generated >= self.interrupt_after:
            raise KeyboardInterrupt
        self.generated += 1
        last = req.input if isinstance(req.input, str) else req.input[-1]["content"]
        rnd = random.Random(f"{req.seed}-{last}")
        if "critic" in last.lower():
            return [Completion("Some proposals overlap busy times.", "stop", 40, 8)] * req.n
        h, m = rnd.randint(9, 16), rnd.choice([0, 30])
        end = h * 60 + m + 30
        return [Completion(f"{h}:{m:02d}-{end // 60}:{end % 60:02d}", "stop", 40, 6)] * req.n


def run_cli(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m evoforge ARGS`` in ``cwd`` with this checkout's evoforge on the path."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
