"""Token, call and cost accounting (:class:`UsageMeter`); the limits are a run's
:class:`~evoforge.core.budget.Budget`."""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Usage:
    """Counters for one scope (the whole model, or one tag / operator).

    ``calls`` counts requests actually sent to a model (one prompt, any ``n``);
    cache hits are counted in ``cache_hits`` only and add no tokens and no cost.
    ``answers`` (calls + cache hits) is what ``Budget.max_calls`` limits.
    """

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    cache_hits: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def answers(self) -> int:
        """Every answer a caller received: real calls plus cache hits."""
        return self.calls + self.cache_hits

    def add(self, other: Usage) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Usage:
        u = cls()
        for f in fields(cls):
            if f.name in d:
                setattr(u, f.name, type(getattr(u, f.name))(d[f.name]))
        return u


class UsageMeter:
    """Thread-safe totals plus the same counters per ``tag`` (the operator name).

    ``snapshot()`` gives a JSON-able dict the engine stores in its run store;
    ``restore(snapshot)`` puts it back when a run resumes, so budgets carry over.
    """

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex[:12]  # tells apart meters in other processes (see fold_evaluator_usage)
        self._lock = threading.Lock()
        self._total = Usage()
        self._tags: dict[str, Usage] = {}

    def record(
        self,
        tag: str = "",
        *,
        calls: int = 0,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        cost: float = 0.0,
        cache_hits: int = 0,
    ) -> None:
        """Add counts to the totals and to ``tag``."""
        delta = Usage(calls, prompt_tokens, completion_tokens, cost, cache_hits)
        with self._lock:
            self._total.add(delta)
            self._tags.setdefault(tag, Usage()).add(delta)

    @property
    def total(self) -> Usage:
        """A copy of the totals."""
        with self._lock:
            return Usage.from_dict(self._total.to_dict())

    def by_tag(self) -> dict[str, Usage]:
        """A copy of the per-tag counters."""
        with self._lock:
            return {k: Usage.from_dict(v.to_dict()) for k, v in self._tags.items()}

    # Convenience read-outs of the totals.
    @property
    def calls(self) -> int:
        return self.total.calls

    @property
    def prompt_tokens(self) -> int:
        return self.total.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self.total.completion_tokens

    @property
    def total_tokens(self) -> int:
        return self.total.total_tokens

    @property
    def cost(self) -> float:
        return self.total.cost

    @property
    def answers(self) -> int:
        return self.total.answers

    @property
    def cache_hits(self) -> int:
        return self.total.cache_hits

    def snapshot(self) -> dict[str, Any]:
        """JSON-able copy: ``{"total": {...}, "by_tag": {tag: {...}}}``."""
        with self._lock:
            return {
                "total": self._total.to_dict(),
                "by_tag": {k: v.to_dict() for k, v in self._tags.items()},
            }

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace all counters with those of a ``snapshot()``."""
        total = Usage.from_dict(snapshot.get("total", {}))
        tags = {str(k): Usage.from_dict(v) for k, v in snapshot.get("by_tag", {}).items()}
        with self._lock:
            self._total, self._tags = total, tags

    def reset(self) -> None:
        with self._lock:
            self._total, self._tags = Usage(), {}

    def __repr__(self) -> str:
        t = self.total
        return (
            f"UsageMeter(calls={t.calls}, prompt_tokens={t.prompt_tokens}, "
            f"completion_tokens={t.completion_tokens}, cost={t.cost:.6g}, cache_hits={t.cache_hits})"
        )


def usage_since(meter: UsageMeter, before: Usage) -> dict[str, Any]:
    """What ``meter`` counted since ``before`` (its ``total`` earlier), tagged with the meter's id: an
    evaluator that calls a model returns this as ``metrics["model_usage"]``."""
    now = meter.total
    return {"meter": meter.id, **{f.name: getattr(now, f.name) - getattr(before, f.name) for f in fields(Usage)}}


def fold_evaluator_usage(meter: UsageMeter, candidates: list[Any]) -> None:
    """Add the model usage that evaluators reported (``metrics["model_usage"]``) to the run's ``meter``
    under the tag ``evaluator``, so budgets and reports cover every call a run pays for. Usage measured
    on ``meter`` itself (evaluator and recipe sharing one model in one process) is already counted."""
    for cand in candidates:
        used = (getattr(cand, "metrics", None) or {}).get("model_usage")
        if isinstance(used, dict) and used.get("meter") != meter.id:
            meter.record("evaluator", **{f.name: used.get(f.name, 0) for f in fields(Usage)})
