"""A run's budget: everything it may spend, and the first limit it reached.

One :class:`Budget` per run says how many evaluations, batches (generations), seconds, model answers
(``max_calls``), tokens and cost it may spend. The engine asks :meth:`Budget.stop_reason` between
batches; the run's model asks :meth:`Budget.model_limit` before every request, so a batch cannot
overshoot a model limit. Who enforces the model limits across threads and processes (the model's
reservations, the run's ledger of answers shared with forked workers, the evaluators' usage) is one
object, :class:`evoforge.llm.account.ModelAccount`; the engine sees it as a :class:`ModelSpend`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any, Protocol


class Spent(Protocol):
    """Model spend so far (:class:`evoforge.llm.usage.Usage`): answers, tokens, cost."""

    @property
    def answers(self) -> int: ...

    @property
    def cache_hits(self) -> int: ...

    @property
    def total_tokens(self) -> int: ...

    @property
    def cost(self) -> float: ...


class ModelSpend(Protocol):
    """The run's model spend as the engine sees it (:class:`evoforge.llm.account.ModelAccount`)."""

    def spent(self) -> Spent:
        """The run's totals so far."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The usage to store with a batch (JSON)."""
        ...

    def restore(self, snapshot: dict[str, Any] | None) -> None:
        """Start from a stored batch's usage (a resumed run)."""
        ...

    def settle(self, batch: list[Any]) -> None:
        """Count the model calls a batch's evaluators made, before the recipe is told the batch."""
        ...

    def enforcing(self) -> AbstractContextManager[Any]:
        """While the run's loop runs: its limits hold for every model of the run, in every process."""
        ...


@dataclass
class Budget:
    """What a run may spend; ``None`` means unlimited. Tokens are prompt + completion.

    ``max_calls`` limits answers, cached or not (``Usage.answers``), so a seeded run replays the same
    answers on a warm cache and stops at the same point; ``max_tokens`` and ``max_cost`` limit what was
    really spent (a cache hit spends nothing)."""

    evaluations: int | None = None
    generations: int | None = None
    seconds: float | None = None
    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    @property
    def limits_model(self) -> bool:
        """Whether any model limit is set."""
        return any(v is not None for v in (self.max_calls, self.max_tokens, self.max_cost))

    def stop_reason(self, evaluations: int, generations: int, seconds: float, spent: Spent | None = None) -> str | None:
        """The first limit reached, as a short line, or None; ``spent``: the run's model spend."""
        if self.evaluations is not None and evaluations >= self.evaluations:
            return f"evaluation budget reached ({evaluations}/{self.evaluations})"
        if self.generations is not None and generations >= self.generations:
            return f"generation budget reached ({generations}/{self.generations})"
        if self.seconds is not None and seconds >= self.seconds:
            return f"time budget reached ({seconds:.0f}s/{self.seconds:g}s)"
        return self.model_limit(spent) if spent is not None else None

    def model_limit(self, spent: Spent, pending: int = 0) -> str | None:
        """The model limit reached (e.g. ``"max_calls=100 reached (100 calls)"``), or None.
        ``pending``: answers already reserved by requests in flight (they count against ``max_calls``)."""
        if self.max_calls is not None and spent.answers + pending >= self.max_calls:
            cached = f", {spent.cache_hits} from the cache" if spent.cache_hits else ""
            flying = f", {pending} more in flight" if pending else ""
            return f"max_calls={self.max_calls} reached ({spent.answers} calls{cached}{flying})"
        if self.max_tokens is not None and spent.total_tokens >= self.max_tokens:
            return f"max_tokens={self.max_tokens} reached ({spent.total_tokens} tokens)"
        if self.max_cost is not None and spent.cost >= self.max_cost:
            return f"max_cost={self.max_cost:g} reached (cost {spent.cost:.6g})"
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
