"""The asynchronous loop: model requests keep going out while earlier children are evaluated.

``Engine.run`` uses it when the run is asynchronous (``--async``). ``concurrency`` proposer threads
each call the engine's ``ask`` (the recipe's ``ask``, then duplicate rejection) over and over; the main
thread submits what they propose to the executor as it arrives and tells the recipe each child as its
evaluation ends. The recipe is only ever run by one thread at a time: proposers hold the recipe lock,
and the model the recipe calls is wrapped so that the lock is released while a request is in flight,
which is when the other proposers and the main thread get their turns.

What the synchronous loop promises and this loop keeps:

* nothing lost, nothing evaluated twice: children proposed but not yet told are part of the
  checkpoint (``EngineState.waiting``), committed in the step they arrive in, so a run killed with
  SIGKILL evaluates them after ``resume`` and tells them once; each is recorded as in flight while it is
  evaluated (poison candidates are isolated and failed as in the synchronous loop);
* exact model budgets: the model reserves each answer against ``--max-calls`` before it is sent;
* duplicates are rejected before evaluation (under the recipe lock).

What it gives up: the order in which answers arrive and evaluations end depends on timing, so one seed
does not give one run bit for bit (the synchronous loop does). A batch here is one step of the loop:
the children that arrived and the children told since the step before.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate, fail
from evoforge.core.errors import BudgetExhausted, ConfigError
from evoforge.store.run_file import ISOLATED_DEATHS, POISON_STRIKES

POISON = f"killed the evoforge process in its batch, then in each of {ISOLATED_DEATHS} evaluations alone; failed"
POLL_SECONDS = 0.01  # how long the main thread waits for an evaluation before looking for arrivals
STALL_LIMIT = 100  # proposals in a row that gave nothing to evaluate before the run stops as stalled


class RecipeLock:
    """A lock that knows which thread holds it (so the model wrapper releases it only for its holder)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owner: int | None = None

    def acquire(self) -> None:
        self._lock.acquire()
        self.owner = threading.get_ident()

    def release(self) -> None:
        self.owner = None
        self._lock.release()

    def held_here(self) -> bool:
        return self.owner == threading.get_ident()

    def __enter__(self) -> RecipeLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class ReleasingModel:
    """Stands in for the recipe's model: each method call releases the recipe lock while it runs."""

    def __init__(self, model: Any, lock: RecipeLock) -> None:
        self._model, self._lock = model, lock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            if not self._lock.held_here():
                return value(*args, **kwargs)
            self._lock.release()
            try:
                return value(*args, **kwargs)
            finally:
                self._lock.acquire()

        return call


def check_executor(executor: Any) -> None:
    if not (hasattr(executor, "submit") and hasattr(executor, "poll")):
        raise ConfigError("--async needs the pool executor (evaluations must run beside the model calls)")


class AsyncLoop:
    """One asynchronous run of ``engine`` (an :class:`~evoforge.run.engine.Engine`) on ``executor`` with
    ``concurrency`` proposers."""

    def __init__(self, engine: Any, executor: Any, concurrency: int) -> None:
        check_executor(executor)
        self.engine, self.executor, self.concurrency = engine, executor, max(1, concurrency)
        self.lock = RecipeLock()
        self.arrivals: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.stopping = threading.Event()
        self.told = threading.Condition()
        self.told_count = 0
        self.empty_asks = 0
        self.reason: str | None = None
        self.error: BaseException | None = None

    # -- proposers --------------------------------------------------------------------------------
    def _room(self) -> bool:
        """Whether the evaluation budget leaves room for more children (those waiting count)."""
        budget = self.engine.budget.evaluations
        if budget is None:
            return True
        waiting = sum(1 for c in self.engine.state.waiting if c.status == "pending")
        return self.engine.state.evaluations + waiting < budget

    def _propose(self) -> None:
        while not self.stopping.is_set():
            with self.told:
                seen = self.told_count
            with self.lock:
                if self.stopping.is_set() or not self._room():
                    break
                try:
                    batch = self.engine.ask()
                except BudgetExhausted as err:  # a model call past --max-calls/--max-tokens/--max-cost
                    self.arrivals.put(("stop", str(err)))
                    break
                except BaseException as err:  # handed to the main thread, raised there
                    self.arrivals.put(("error", err))
                    break
                self.engine.state.waiting.extend(batch)
            self.arrivals.put(("batch", batch) if batch else ("empty", None))
            if not any(c.status == "pending" for c in batch):  # nothing new: wait for the next result
                with self.told:
                    self.told.wait_for(lambda seen=seen: self.told_count != seen or self.stopping.is_set(), timeout=1.0)
        self.arrivals.put(("done", None))

    # -- the main thread ----------------------------------------------------------------------------
    def run(self) -> str:
        engine = self.engine
        model = getattr(engine.recipe, "model", None)
        if model is not None:
            engine.recipe.model = ReleasingModel(model, self.lock)
        try:
            with self.lock:
                engine._setup_once()
                resumed = list(engine.state.waiting)
            self._resume_waiting(resumed)
            threads = [threading.Thread(target=self._propose, daemon=True) for _ in range(self.concurrency)]
            for t in threads:
                t.start()
            self._loop(len(threads))
            if self.error is None:  # the budget's own words once everything in flight has landed
                with self.lock:
                    self.reason = self.engine.stop_reason() or self.reason
        finally:
            self.stopping.set()
            with self.told:
                self.told.notify_all()
            if model is not None:
                engine.recipe.model = model
        if self.error is not None:
            raise self.error
        return self.reason or "stopped"

    def _loop(self, proposers: int) -> None:
        running = proposers
        while running or self.executor.outstanding:
            arrived, running = self._take_arrivals(running)
            finished = self.executor.poll(POLL_SECONDS) if self.executor.outstanding else []
            rejected = [c for batch in arrived for c in batch if c.status == REJECTED]
            if arrived or finished:
                self._step(finished + rejected, bool(arrived))
            if self.reason is None:
                with self.lock:
                    self.reason = self.engine.stop_reason()
            if self.reason is not None or self.error is not None:
                self.stopping.set()
                with self.told:
                    self.told.notify_all()
            if self.error is not None:
                return

    def _take_arrivals(self, running: int) -> tuple[list[list[Candidate]], int]:
        arrived: list[list[Candidate]] = []
        wait = not self.executor.outstanding
        while True:
            try:
                kind, item = self.arrivals.get(timeout=POLL_SECONDS) if wait else self.arrivals.get_nowait()
            except queue.Empty:
                return arrived, running
            wait = False
            if kind == "done":
                running -= 1
            elif kind == "empty":  # a proposal that gave nothing (its answers still count: recorded as a step)
                arrived.append([])
                idle = not self.executor.outstanding and not any(
                    c.status == "pending" for c in self.engine.state.waiting
                )
                self.empty_asks = self.empty_asks + 1 if idle else 0
                if self.empty_asks >= STALL_LIMIT and self.reason is None:
                    self.reason = f"stalled: {STALL_LIMIT} proposals in a row gave nothing new to evaluate"
            elif kind == "stop":
                self.reason = self.reason or item
            elif kind == "error":
                self.error = self.error or item
            else:
                arrived.append(item)
                pending = [c for c in item if c.status == "pending"]
                if pending:
                    self.empty_asks = 0
                self._submit(pending)

    def _submit(self, pending: list[Candidate]) -> None:
        """Record ``pending`` as in flight (poison candidates), then hand them to the executor."""
        store = self.engine.store
        if store is not None and pending:
            store.mark_inflight(-1, [self.engine._inflight_entry(c) for c in pending], replace=False)
        if pending:
            self.executor.submit(pending)

    def _step(self, told: list[Candidate], arrived: bool) -> None:
        """Tell the recipe what finished and commit the step (children that arrived are in the checkpoint)."""
        engine = self.engine
        with self.lock:
            ids = {id(c) for c in told}
            engine.state.waiting = [c for c in engine.state.waiting if id(c) not in ids]
            if told:
                engine.tell(told)
            elif arrived:
                engine._record([], 0, np.array([]), None)
            engine.commit()
            if engine.store is not None and told:
                engine.store.drop_inflight([engine._inflight_entry(c)[0] for c in told if c.status != REJECTED])
        if told:
            with self.told:
                self.told_count += 1
                self.told.notify_all()

    def _resume_waiting(self, waiting: list[Candidate]) -> None:
        """Children the last run left proposed but untold: suspects alone first, the rest as usual."""
        engine = self.engine
        if not waiting:
            return
        rest: list[Candidate] = []
        done: list[Candidate] = []
        for cand in waiting:
            if cand.status != "pending":
                done.append(cand)
                continue
            key = engine._inflight_entry(cand)[0]
            strikes = engine._strikes.pop(key, 0)
            if strikes >= POISON_STRIKES:
                fail(cand, POISON)
                done.append(cand)
            elif strikes >= 1 and engine.store is not None:
                engine.store.isolate_inflight(key, alone=True)
                self.executor.evaluate([cand])
                engine.store.isolate_inflight(key, alone=False)
                done.append(cand)
            else:
                cand.status = "pending"
                rest.append(cand)
        if done:
            self._step(done, False)
        self._submit(rest)
