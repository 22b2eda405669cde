"""The engine: acquire -> refine -> evaluate -> update, one batch at a time, committed atomically.

``Engine.ask`` / ``Engine.tell`` is the low-level surface (bring your own evaluation); ``Engine.run``
drives the loop with an executor until a budget stops it. Everything needed to continue a run lives in
the run store after each commit; :meth:`Engine.restore` rebuilds an engine from it.

Commits: driven by hand, every ``tell`` commits. Inside ``run`` a commit happens after a batch once
``checkpoint_every`` seconds have passed since the last one; by default (None) that interval adapts to
keep commits under ~5 % of the run time (20x the last commit's duration, at most 30 s), so slow batches
(model calls) commit every batch and millisecond batches commit in groups.

Poison candidates: before a batch is evaluated inside ``run``, the pending genome keys are committed as
"in flight". A resume after the process died finds them there: each is then evaluated alone first (marked
so in the run file). A kill -9 from outside looks the same as a candidate killing the process, so one
death during an isolated evaluation proves nothing: the suspect is evaluated alone again on the next
resume, and fails only once the process died during its isolated evaluation ``ISOLATED_DEATHS`` times
(``store.run_file.POISON_STRIKES`` strikes in all); then it is not evaluated again.

The array path: when the recipe implements ``ask_array`` / ``tell_array``, the task has
``evaluate_array`` and the executor can evaluate rows in-process, a batch is one array through the
loop and Candidates are built only for the rows the recipe keeps (and a new best).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evoforge.core.budget import Budget, ModelSpend
from evoforge.core.candidate import REJECTED, Candidate, fail
from evoforge.core.errors import BudgetExhausted, StoreError
from evoforge.core.model_call import ModelCall
from evoforge.core.recipe import Recipe
from evoforge.core.task import Task
from evoforge.core.view import recipe_view
from evoforge.store.facts import recipe_facts
from evoforge.store.rows import genome_text
from evoforge.store.run_file import POISON_STRIKES, BatchRecord, RunStore

from .engine_async import POISON, AsyncLoop
from .executors import Executor

VIEW_EVERY = 30.0  # seconds between refreshes of the stored recipe view (the archive heatmap)


def genome_key(genome: Any) -> str:
    """A stable hash of a genome's JSON form (exact-duplicate detection)."""
    text = json.dumps(genome, sort_keys=True, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
    return _key_of(text)


def _key_of(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class EngineState:
    """The engine's own resumable state (the recipe's is the recipe object itself)."""

    batch: int = 0
    evaluations: int = 0
    proposals: int = 0
    elapsed: float = 0.0
    best: Candidate | None = None
    waiting: list[Candidate] = field(default_factory=list)  # asked, not yet told (asynchronous loop)

    @property
    def best_score(self) -> float | None:
        return self.best.score if self.best is not None else None


@dataclass
class RunResult:
    best: Candidate | None
    evaluations: int
    batches: int
    stop_reason: str
    path: str | None


class Engine:
    """One run's loop. Everything it needs is given here: the task, the recipe, the budget, and for
    recipes that call a model, the ``model`` (handed to the recipe as ``recipe.model``, never pickled)
    and the run's model ``spend`` (its usage stored with each batch and restored on resume, the
    evaluators' usage settled after each batch, its limits enforced while the loop runs);
    ``concurrency``: proposer threads of the asynchronous loop."""

    def __init__(
        self,
        task: Task,
        recipe: Recipe,
        *,
        seed: int = 0,
        budget: Budget | None = None,
        batch_size: int | None = None,
        store: RunStore | None = None,
        dedupe: bool | None = None,
        on_batch: Callable[[Engine, list[Candidate]], None] | None = None,
        checkpoint_every: float | None = None,
        asynchronous: bool = False,
        concurrency: int = 1,
        model: Any = None,
        spend: ModelSpend | None = None,
    ):
        self.task, self.recipe, self.seed = task, recipe, seed
        self.asynchronous, self.concurrency = asynchronous, concurrency
        if model is not None:
            recipe.model = model
        self.spend = spend
        self.budget = budget or Budget(evaluations=1000)
        self.batch_size = batch_size or recipe.batch_size
        self.store, self.on_batch = store, on_batch
        self.dedupe = recipe.dedupe if dedupe is None else dedupe
        self.rng = np.random.default_rng(seed)
        self.state = EngineState()
        self._seen: set[str] = set()  # genome keys; rebuilt from the store on resume, not checkpointed
        self._started = False
        self._clock = time.perf_counter()
        self.checkpoint_every = checkpoint_every
        self._pending: list[BatchRecord] = []
        self._calls: dict[int, ModelCall] = {}  # how asked children were made, until their batch is recorded
        self._running = False  # inside run(): commits may be grouped
        self._last_commit, self._commit_cost = time.perf_counter(), 0.0
        self._view_at = float("-inf")
        self._strikes: dict[str, int] = {}  # genome key -> deaths of the process while it was in flight
        self._suspects_until = -1  # the last batch a suspect may come back in; commits wait until it is done

    # -- ask / tell ---------------------------------------------------------------------------
    def ask(self) -> list[Candidate]:
        """Acquire and refine one batch. Rejected candidates (exact duplicates) are returned too,
        already marked; evaluate only those with ``status == 'pending'``."""
        self._setup_once()
        children = self.recipe.ask(self._next_size(), self.rng)
        next_id = self.state.proposals
        for cand in children:
            cand.id, next_id = next_id, next_id + 1
            cand.generation = self.state.batch
            cand.status = "pending"
            if cand.call is not None:  # kept apart: recipe state and evaluation workers never carry it
                self._calls[cand.id], cand.call = cand.call, None
        self.state.proposals = next_id
        if self.dedupe:
            self._reject_duplicates(children)
        return children

    def _setup_once(self) -> None:
        if not self._started:
            self.recipe.setup(self.task, self.rng)
            self._started = True

    def _next_size(self) -> int:
        n = self.batch_size
        if self.budget.evaluations is not None:
            waiting = sum(1 for c in self.state.waiting if c.status == "pending")
            n = max(1, min(n, self.budget.evaluations - self.state.evaluations - waiting))
        return n

    def _reject_duplicates(self, children: list[Candidate]) -> None:
        for cand in children:
            key = genome_key(cand.genome)
            if key in self._seen:
                cand.status, cand.reason = REJECTED, "exact duplicate of an earlier genome"
            else:
                self._seen.add(key)

    def tell(self, candidates: list[Candidate]) -> None:
        """Update the recipe with an evaluated batch and record it in the store."""
        if self.spend is not None:
            self.spend.settle(candidates)  # the evaluators' model calls, before the recipe sees the batch
        self.recipe.tell(candidates, self.rng)
        evaluated = [c for c in candidates if c.status != REJECTED]
        ok = [c for c in evaluated if c.ok and c.score is not None]
        best = max(ok, key=lambda c: c.fitness(), default=None)
        self._record(candidates, len(evaluated), np.array([c.score for c in ok], dtype=float), best)
        if self.on_batch:
            self.on_batch(self, candidates)

    def _array_step(self, evaluate_rows: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]) -> None:
        """One batch through the array path: ask_array -> evaluate_rows -> tell_array."""
        self._setup_once()
        rows, parents, operator = self.recipe.ask_array(self._next_size(), self.rng)
        scores, descriptors = evaluate_rows(rows)
        ids = np.arange(self.state.proposals, self.state.proposals + len(rows))
        self.state.proposals += len(rows)
        keep = {int(i) for i in self.recipe.tell_array(rows, scores, descriptors, ids, self.rng)}
        finite = np.isfinite(scores)
        top = int(np.argmax(np.where(finite, scores, -np.inf))) if finite.any() else None
        if top is not None and (self.state.best is None or scores[top] > self.state.best.fitness()):
            keep.add(top)  # the run's best is always on record
        cands = [
            Candidate(
                genome=rows[i].tolist(),
                id=int(ids[i]),
                operator=operator,
                generation=self.state.batch,
                parents=[int(parents[i])] if parents[i] >= 0 else [],
                score=float(scores[i]),
                descriptors=None if descriptors is None else descriptors[i].tolist(),
                status="ok",
            )
            for i in sorted(keep)
        ]
        best = next((c for c in cands if top is not None and c.id == ids[top]), None)
        self._record(cands, len(rows), scores[finite], best)
        if self.on_batch:
            self.on_batch(self, cands)

    def _record(
        self, candidates: list[Candidate], evaluated: int, ok_scores: np.ndarray, best: Candidate | None
    ) -> None:
        """Count a batch, update the best, and queue the batch for the store."""
        self.state.evaluations += evaluated
        if best is not None and (self.state.best is None or best.fitness() > self.state.best.fitness()):
            self.state.best = best
        now = time.perf_counter()
        self.state.elapsed += now - self._clock
        self._clock = now
        summary = {
            "generation": self.state.batch,
            "evaluations": self.state.evaluations,
            "best_score": self.state.best_score,
            "elapsed": self.state.elapsed,
            "median_score": float(np.median(ok_scores)) if len(ok_scores) else None,
            "batch_best": float(ok_scores.max()) if len(ok_scores) else None,
        }
        batch = self.state.batch
        self.state.batch += 1  # the checkpoint holds the state *after* this batch
        calls = {c.id: self._calls.pop(c.id) for c in candidates if c.id in self._calls}
        if self.store is not None:
            usage = self.spend.snapshot() if self.spend is not None else None
            rng = self.rng.bit_generator.state
            self._pending.append(BatchRecord(batch, candidates, summary, rng, usage, calls=calls))
            if self._commit_due():
                self.commit()

    def _commit_due(self) -> bool:
        if self.state.batch <= self._suspects_until:
            return False  # progress is committed only once the suspects' batch was evaluated
        every = self.checkpoint_every
        if every is None:
            every = min(20.0 * self._commit_cost, 30.0) if self._running else 0.0
        return time.perf_counter() - self._last_commit >= every

    def commit(self, final: bool = False) -> None:
        """Write the batches not yet in the store, with the recipe's state after the last of them, and
        (at the end, and every ``VIEW_EVERY`` seconds) the recipe's view and report text for readers."""
        if self.store is None or not (self._pending or (final and self._started)):
            return
        start, pending = time.perf_counter(), self._pending
        view = recipe_view(self.recipe) if final or start - self._view_at >= VIEW_EVERY else None
        if view is not None:
            self._view_at = start
        if pending:
            self.store.commit(pending, {"recipe": self.recipe, "engine": self.state}, view)
            view = None  # written with the commit
        report = self._report_text() if type(self.recipe).report is not Recipe.report else None
        facts = recipe_facts(self.recipe, self.store)  # the recipe's answer and discards, as JSON
        self.store.describe(report, view, facts)  # needs the committed batches (a report may read the store)
        if pending:
            self._pending = []
            self._last_commit = time.perf_counter()
            self._commit_cost = self._last_commit - start

    def _report_text(self) -> str | None:
        try:
            return self.recipe.report(self.store)
        except Exception as err:  # a report is an extra: it must not end the run
            return f"(no report: {type(err).__name__}: {err})"

    def _evaluate(self, executor: Executor, pending: list[Candidate]) -> None:
        """Evaluate a batch, recording it as in flight first. Suspects (in flight when the process died)
        are evaluated alone first; a genome with ``POISON_STRIKES`` strikes fails without evaluation."""
        if self.store is None:
            executor.evaluate(pending)
            return
        rest = []
        for cand in pending:
            key, text = self._inflight_entry(cand)
            strikes = self._strikes.get(key, 0)
            if strikes >= POISON_STRIKES:
                fail(cand, POISON)
            elif strikes >= 1:
                self.store.isolate_inflight(key, alone=True)
                executor.evaluate([cand])
                self.store.isolate_inflight(key, alone=False)
                del self._strikes[key]
            else:
                rest.append((key, text, cand))
        if rest:
            self.store.mark_inflight(self.state.batch, [(key, text) for key, text, _ in rest])
            executor.evaluate([c for _, _, c in rest])

    @staticmethod
    def _inflight_entry(cand: Candidate) -> tuple[str, str]:
        """(key, stored genome text) of a candidate about to be evaluated, for the in-flight table."""
        text = genome_text(cand.genome) or "null"  # the store's JSON (orjson): cheap enough per batch
        return _key_of(text), text[:100_000]

    # -- the loop -----------------------------------------------------------------------------
    def stop_reason(self) -> str | None:
        reason = self.budget.stop_reason(
            self.state.evaluations,
            self.state.batch,
            self.state.elapsed + time.perf_counter() - self._clock,
            self.spend.spent() if self.spend is not None else None,
        )
        return reason or (self.recipe.stop_reason() if self._started else None)

    def run(self, executor: Executor) -> RunResult:
        """Run batches on ``executor`` until the budget (or the recipe) stops the run; the run's model
        limits hold for every model of the run meanwhile."""
        with self.spend.enforcing() if self.spend is not None else contextlib.nullcontext():
            return self._run(executor)

    def _run(self, executor: Executor) -> RunResult:
        self._clock = time.perf_counter()
        evaluate_rows = self._array_path(executor)
        reason = self.stop_reason()
        stalled = 0
        self._running = True
        try:
            if self.asynchronous and reason is None:
                reason = AsyncLoop(self, executor, self.concurrency).run()
            while reason is None:
                if evaluate_rows is not None:
                    self._array_step(evaluate_rows)
                    reason = self.stop_reason()
                    continue
                try:
                    batch = self.ask()
                except BudgetExhausted as err:  # a model call past --max-calls/--max-tokens/--max-cost
                    reason = str(err)
                    break
                pending = [c for c in batch if c.status == "pending"]
                if pending:
                    self._evaluate(executor, pending)
                    stalled = 0
                else:
                    stalled += 1
                self.tell(batch)
                reason = self.stop_reason()
                if reason is None and stalled >= 100:
                    reason = "stalled: 100 batches in a row proposed only duplicates"
        finally:
            self._running = False
        self.commit(final=True)
        if self.store is not None:
            self.store.mark_finished(reason)
        return RunResult(
            best=self.state.best,
            evaluations=self.state.evaluations,
            batches=self.state.batch,
            stop_reason=reason,
            path=str(self.store.path) if self.store else None,
        )

    def array_capable(self) -> bool:
        """Whether recipe and task can take the array path (it also needs an in-process executor)."""
        return not self.dedupe and self.recipe.supports_arrays() and self.task.evaluate_array is not None

    def _array_path(self, executor: Executor):
        """The executor's ``evaluate_rows`` when this run can take the array path, else None."""
        evaluate_rows = getattr(executor, "evaluate_rows", None)
        return evaluate_rows if evaluate_rows is not None and self.array_capable() else None

    def restore(self, store: RunStore) -> None:
        """Continue from the last batch committed in ``store`` (whose checkpoint must carry this user's
        signature); genomes in flight when the run died become suspects."""
        last, saved = store.last_batch(), store.recipe_state()
        inflight = store.strike_inflight(last["batch"] if last else -1)
        self._strikes = {key: strikes for key, (strikes, _) in inflight.items()}
        self._suspects_until = max((b for s, b in inflight.values() if 1 <= s < POISON_STRIKES), default=-1)
        if last is None or saved is None:
            self._started = False  # nothing committed yet: start over, same seed
            return
        batch, state = saved
        if batch != last["batch"]:
            raise StoreError(f"{store.path}: checkpoint (batch {batch}) and batches ({last['batch']}) disagree")
        model = self.recipe.model
        self.recipe, self.state = state["recipe"], state["engine"]
        if not hasattr(self.state, "waiting"):  # a checkpoint from before the asynchronous loop
            self.state.waiting = []
        self.recipe.model = model
        if self.spend is not None:
            self.spend.restore(last.get("usage"))
        if self.dedupe:
            self._seen = {genome_key(c.genome) for c in store.candidates(exclude=REJECTED)}
            self._seen |= {genome_key(c.genome) for c in self.state.waiting if c.status != REJECTED}
        self.rng.bit_generator.state = last["rng"]
        self._started = True
