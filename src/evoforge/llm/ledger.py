"""One run's ``--max-calls`` across processes: a shared count of the answers the run has taken.

Evaluators that call a model (prompt tasks, agent tasks) do so with their own model object, in this
process or in a pool worker forked from it. While a run is active (:func:`active_run_ledger`), every
request of a model that ``counts_for_run`` (the run's model, and the models agent and prompt tasks
evaluate with), in this process and in the processes forked from it, takes one permit from the run's
:class:`CallLedger` before it is sent (``Model._reserve``) and gives it back if it fails, so all of
them together never receive more answers than the limit, however many run at once. Other models (a
model server running in this process, say) are not counted. The count lives
in shared memory with its own lock (inherited by forked workers); processes not forked from the run
(Ray workers, sandboxed pool workers) do not see it and are counted when their batch comes back.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
from collections.abc import Iterator

from .errors import BudgetExceededError

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
