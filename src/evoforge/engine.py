"""The engine: acquire -> refine -> evaluate -> update, one batch at a time, committed atomically.

``Engine.ask`` / ``Engine.tell`` is the low-level surface (bring your own evaluation); ``Engine.run``
drives the loop with an executor until a budget stops it. Everything needed to continue a run lives in
the run store after each ``tell``; :func:`resume_engine` rebuilds an engine from it.
"""
from __future__ import annotations

import hashlib
import json
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .budget import Budget
from .candidate import REJECTED, Candidate
from .errors import StoreError
from .executors import Executor
from .recipe import Recipe
from .store import RunStore
from .task import Task


def genome_key(genome: Any) -> str:
    """A stable hash of a genome's JSON form (exact-duplicate detection)."""
    text = json.dumps(genome, sort_keys=True, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class EngineState:
    """The engine's own resumable state (the recipe's is the recipe object itself)."""

    batch: int = 0
    evaluations: int = 0
    proposals: int = 0
    elapsed: float = 0.0
    best: Candidate | None = None

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
    def __init__(self, task: Task, recipe: Recipe, *, seed: int = 0, budget: Budget | None = None,
                 batch_size: int | None = None, store: RunStore | None = None, dedupe: bool | None = None,
                 on_batch: Callable[[Engine, list[Candidate]], None] | None = None):
        self.task, self.recipe, self.seed = task, recipe, seed
        self.budget = budget or Budget(evaluations=1000)
        self.batch_size = batch_size or recipe.batch_size
        self.store, self.on_batch = store, on_batch
        self.dedupe = recipe.dedupe if dedupe is None else dedupe
        self.rng = np.random.default_rng(seed)
        self.state = EngineState()
        self._seen: set[str] = set()  # genome keys; rebuilt from the store on resume, not checkpointed
        self.usage_snapshot: Callable[[], dict[str, Any]] | None = None  # set by the model layer
        self.on_restore: Callable[[dict[str, Any]], None] | None = None  # e.g. restore usage meters
        self._started = False
        self._clock = time.perf_counter()

    # -- ask / tell ---------------------------------------------------------------------------
    def ask(self) -> list[Candidate]:
        """Acquire and refine one batch. Rejected candidates (exact duplicates) are returned too,
        already marked; evaluate only those with ``status == 'pending'``."""
        if not self._started:
            self.recipe.setup(self.task, self.rng)
            self._started = True
        n = self.batch_size
        if self.budget.evaluations is not None:
            n = max(1, min(n, self.budget.evaluations - self.state.evaluations))
        children = self.recipe.ask(n, self.rng)
        next_id = self.state.proposals
        for cand in children:
            cand.id, next_id = next_id, next_id + 1
            cand.generation = self.state.batch
            cand.status = "pending"
        self.state.proposals = next_id
        if self.dedupe:
            self._reject_duplicates(children)
        return children

    def _reject_duplicates(self, children: list[Candidate]) -> None:
        for cand in children:
            key = genome_key(cand.genome)
            if key in self._seen:
                cand.status, cand.reason = REJECTED, "exact duplicate of an earlier genome"
            else:
                self._seen.add(key)

    def tell(self, candidates: list[Candidate]) -> None:
        """Update the recipe with an evaluated batch and commit it to the store."""
        self.recipe.tell(candidates, self.rng)
        evaluated = [c for c in candidates if c.status != REJECTED]
        self.state.evaluations += len(evaluated)
        ok_scores = [c.score for c in evaluated if c.ok and c.score is not None]
        for cand in evaluated:
            if cand.ok and (self.state.best is None or cand.fitness() > self.state.best.fitness()):
                self.state.best = cand
        now = time.perf_counter()
        self.state.elapsed += now - self._clock
        self._clock = now
        summary = {"generation": self.state.batch, "evaluations": self.state.evaluations,
                   "best_score": self.state.best_score, "elapsed": self.state.elapsed,
                   "median_score": statistics.median(ok_scores) if ok_scores else None,
                   "batch_best": max(ok_scores) if ok_scores else None}
        batch = self.state.batch
        self.state.batch += 1  # the checkpoint holds the state *after* this batch
        if self.store is not None:
            usage = self.usage_snapshot() if self.usage_snapshot else None
            self.store.commit_batch(batch, candidates, summary, self.rng.bit_generator.state,
                                    {"recipe": self.recipe, "engine": self.state}, usage)
        if self.on_batch:
            self.on_batch(self, candidates)

    # -- the loop -----------------------------------------------------------------------------
    def stop_reason(self) -> str | None:
        reason = self.budget.stop_reason(self.state.evaluations, self.state.batch,
                                         self.state.elapsed + time.perf_counter() - self._clock)
        return reason or (self.recipe.stop_reason() if self._started else None)

    def run(self, executor: Executor) -> RunResult:
        self._clock = time.perf_counter()
        reason = self.stop_reason()
        stalled = 0
        while reason is None:
            batch = self.ask()
            pending = [c for c in batch if c.status == "pending"]
            if pending:
                executor.evaluate(pending)
                stalled = 0
            else:
                stalled += 1
            self.tell(batch)
            reason = self.stop_reason()
            if reason is None and stalled >= 100:
                reason = "stalled: 100 batches in a row proposed only duplicates"
        if self.store is not None:
            self.store.mark_finished(reason)
        return RunResult(best=self.state.best, evaluations=self.state.evaluations, batches=self.state.batch,
                         stop_reason=reason, path=str(self.store.path) if self.store else None)

    def restore(self, store: RunStore) -> None:
        """Continue from the last batch committed in ``store``."""
        last, saved = store.last_batch(), store.recipe_state()
        if last is None or saved is None:
            self._started = False  # nothing committed yet: start over, same seed
            return
        batch, state = saved
        if batch != last["batch"]:
            raise StoreError(f"{store.path}: checkpoint (batch {batch}) and batches ({last['batch']}) disagree")
        model = self.recipe.model
        self.recipe, self.state = state["recipe"], state["engine"]
        self.recipe.model = model
        if self.on_restore:
            self.on_restore(last)
        if self.dedupe:
            self._seen = {genome_key(c.genome) for c in store.candidates("status != ?", (REJECTED,))}
        self.rng.bit_generator.state = last["rng"]
        self._started = True
