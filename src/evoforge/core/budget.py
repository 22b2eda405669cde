"""Budgets: when a run stops. Each limit is optional; the first one reached names the stop reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Budget:
    evaluations: int | None = None
    generations: int | None = None
    seconds: float | None = None
    # Extra limits (model calls, tokens, cost ...) as callables returning a reason or None.
    checks: list[Callable[[], str | None]] = field(default_factory=list, repr=False, compare=False)

    def stop_reason(self, evaluations: int, generations: int, seconds: float) -> str | None:
        if self.evaluations is not None and evaluations >= self.evaluations:
            return f"evaluation budget reached ({evaluations}/{self.evaluations})"
        if self.generations is not None and generations >= self.generations:
            return f"generation budget reached ({generations}/{self.generations})"
        if self.seconds is not None and seconds >= self.seconds:
            return f"time budget reached ({seconds:.0f}s/{self.seconds:g}s)"
        for check in self.checks:
            reason = check()
            if reason:
                return reason
        return None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("checks")
        return data
