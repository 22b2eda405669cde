"""One run's model spend against its :class:`~evoforge.core.budget.Budget`: :class:`ModelAccount`.

The account is the one owner of the run's model limits (``--max-calls``, ``--max-tokens``,
``--max-cost``):

* threads: the run's model checks the budget before every request and reserves its answer under one
  lock with the recording of usage (``Model._reserve``), so concurrent requests never pass
  ``max_calls`` together;
* processes: evaluators that call a model (prompt and agent tasks) do so with their own model object,
  in this process or in a pool worker forked from it. While the run's loop runs
  (:meth:`ModelAccount.enforcing`), every request of a model that ``counts_for_run`` (the run's model,
  the models agent and prompt tasks evaluate with), here and in the processes forked meanwhile, takes
  a permit from the run's :class:`CallLedger` (a count in shared memory with its own lock) before it is
  sent and gives it back if it fails; the ledger starts from the answers already spent (a resumed
  run). Processes not forked from the run (Ray workers, sandboxed pool workers) do not see it and are
  counted when their batch comes back;
* evaluators' usage: after each batch, the usage evaluators reported is added to the run's meter
  (tag ``evaluator``), and in the synchronous loop so are the answers they received but could not
  report (cut short by the limit, killed at the timeout).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .errors import BudgetExceededError
from .usage import Usage, fold_evaluator_usage

if TYPE_CHECKING:
    from evoforge.core.budget import Budget

_ACTIVE: list[CallLedger] = []


class CallLedger:
    """Answers taken by every model of one run (recipe and evaluators), against ``limit``."""

    def __init__(self, limit: int, used: int = 0) -> None:
        ctx = mp.get_context("fork")
        self.limit = int(limit)
        self._lock = ctx.Lock()
        self._used = ctx.RawValue("q", int(used))

    @property
    def used(self) -> int:
        with self._lock:
            return int(self._used.value)

    def take(self) -> None:
        """Take one answer's permit, or raise :class:`BudgetExceededError` when none is left."""
        with self._lock:
            if self._used.value >= self.limit:
                raise BudgetExceededError(
                    f"LLM budget exhausted: max_calls={self.limit} reached "
                    f"({self._used.value} calls, evaluators' calls included)"
                )
            self._used.value += 1

    def at_least(self, answers: int) -> None:
        """Raise the count to ``answers`` (answers the run recorded that took no permit here)."""
        with self._lock:
            self._used.value = max(self._used.value, int(answers))

    def give_back(self) -> None:
        """Return a permit whose request failed (it brought no answer)."""
        with self._lock:
            self._used.value = max(0, self._used.value - 1)


def run_ledger() -> CallLedger | None:
    """The ledger of the run active in this process (or in the run that forked it), if any."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextlib.contextmanager
def active_run_ledger(limit: int | None, used: int = 0) -> Iterator[CallLedger | None]:
    """Make every model request in this process (and in processes forked meanwhile) take a permit
    from a new ledger of ``limit`` answers, ``used`` of them already spent; ``limit`` None: no ledger."""
    if limit is None:
        yield None
        return
    ledger = CallLedger(limit, used)
    _ACTIVE.append(ledger)
    try:
        yield ledger
    finally:
        _ACTIVE.remove(ledger)


class ModelAccount:
    """The run's model (a :class:`~evoforge.llm.base.Model`) and what it may spend. Constructing it
    hands the model the budget (checked at every request) and makes its requests count for the run;
    the engine reads and stores the usage through it (:class:`~evoforge.core.budget.ModelSpend`).
    ``asynchronous``: the run's loop keeps requests in flight between batches (unreported answers
    cannot be told apart from those); ``across_processes=False``: no run ledger (a model used outside
    a stored run, e.g. a benchmark)."""

    def __init__(self, model: Any, budget: Budget, *, asynchronous: bool = False, across_processes: bool = True):
        self.model, self.budget, self.asynchronous = model, budget, asynchronous
        self.across_processes = across_processes
        self._ledger: CallLedger | None = None
        model.budget = budget  # refused at every request past a limit, so a batch cannot overshoot it
        model.counts_for_run = across_processes  # --max-calls across processes (the run's ledger)

    def spent(self) -> Usage:
        return self.model.usage.total

    def snapshot(self) -> dict[str, Any]:
        return self.model.usage.snapshot()

    def restore(self, snapshot: dict[str, Any] | None) -> None:
        if snapshot:
            self.model.usage.restore(snapshot)

    def settle(self, batch: list[Any]) -> None:
        """Add the model usage the batch's evaluators reported, and (synchronous loop, with a ledger)
        the answers they took from the ledger without reporting them, as calls of ``evaluator``."""
        usage = self.model.usage
        fold_evaluator_usage(usage, batch)
        ledger = self._ledger
        if ledger is None:
            return
        unreported = ledger.used - usage.answers
        if unreported > 0 and not self.asynchronous:  # nothing is in flight between batches
            usage.record("evaluator", calls=unreported)
        ledger.at_least(usage.answers)  # calls of workers outside the ledger (Ray), reported

    @contextlib.contextmanager
    def enforcing(self) -> Iterator[None]:
        """``max_calls`` for every request of the run's models in this process and the processes
        forked meanwhile, starting from the answers already spent."""
        limit = self.budget.max_calls if self.across_processes else None
        with active_run_ledger(limit, used=self.model.usage.answers) as ledger:
            self._ledger = ledger
            try:
                yield
            finally:
                self._ledger = None
