"""The progress of ``run`` and ``resume``. Its unit is the budget that will end the run (evaluations,
batches, seconds, model calls, tokens or cost: the one with the shortest projected time left), chosen
once every budget has moved and kept for the whole run, so a run stopped by ``--max-calls`` counts
"16/16 model calls" from start to end; its ETA is the time until the first budget runs out.

On a terminal it is a rich bar (:class:`RunProgress`); when stderr is not a terminal (nohup, CI, a
file) it is plain lines (:mod:`.progress_log`, whose ``make_progress`` chooses)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from evoforge.core.text import printable

LOCK_AFTER_BATCHES = 3  # the unit is chosen by then even if a budget has not moved yet


class Spent(NamedTuple):
    """How much of one budget is spent."""

    done: float
    total: float
    unit: str

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total > 0 else 1.0

    def text(self) -> str:
        if self.unit == "cost":
            return f"cost {self.done:.4g}/{self.total:g}"
        if self.unit == "s":
            return f"{self.done:.1f}/{self.total:g}s"
        return f"{int(self.done)}/{int(self.total)} {self.unit}"

    def left(self, elapsed: float) -> float:
        """Projected seconds until this budget runs out at the rate so far (inf: no rate yet)."""
        if self.unit == "s":
            return max(0.0, self.total - self.done)
        if self.done >= self.total:
            return 0.0
        if self.done <= 0 or elapsed <= 0:
            return math.inf
        return elapsed * (self.total - self.done) / self.done


def budgets(engine: Any) -> list[Spent]:
    """Every budget the run has, with what is spent of it (evaluations first)."""
    state, budget = engine.state, engine.budget
    out = []
    if budget.evaluations is not None:
        out.append(Spent(state.evaluations, budget.evaluations, "evaluations"))
    if budget.generations is not None:
        out.append(Spent(state.batch, budget.generations, "batches"))
    if budget.seconds is not None:
        out.append(Spent(state.elapsed, budget.seconds, "s"))
    spend = getattr(engine, "spend", None)
    if spend is not None and budget.limits_model:
        total = spend.spent()
        for limit, spent, unit in (
            (budget.max_calls, total.answers, "model calls"),
            (budget.max_tokens, total.total_tokens, "tokens"),
            (budget.max_cost, total.cost, "cost"),
        ):
            if limit is not None:
                out.append(Spent(spent, limit, unit))
    return out


def leading(engine: Any) -> Spent | None:
    """The budget that will end the run first at the rates so far (the largest fraction spent while
    no budget has a rate; evaluations on a tie)."""
    found = budgets(engine)
    if not found:
        return None
    elapsed = engine.state.elapsed
    soonest = min(found, key=lambda s: s.left(elapsed))
    return soonest if math.isfinite(soonest.left(elapsed)) else max(found, key=lambda s: s.fraction)


def eta(found: list[Spent], elapsed: float) -> float | None:
    """Seconds until the first budget runs out (None: no budget has a rate yet)."""
    left = min((s.left(elapsed) for s in found), default=math.inf)
    return left if math.isfinite(left) else None


def clock(seconds: float | None) -> str:
    """H:MM:SS, or "-" for an unknown time."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Snapshot(NamedTuple):
    """What one progress report says: the unit's budget, all budgets, the run's counters."""

    lead: Spent | None
    found: list[Spent]
    evaluations: int
    batch: int
    best: float | None
    elapsed: float
    calls: int | None  # model answers (None: the recipe calls no model)
    eta: float | None


class Tracker:
    """Chooses the progress unit once (every budget moved, or ``LOCK_AFTER_BATCHES`` batches) and keeps
    it; each :meth:`snapshot` is the run's state in that unit."""

    def __init__(self) -> None:
        self.unit: str | None = None

    def snapshot(self, engine: Any) -> Snapshot:
        state = engine.state
        found = budgets(engine)
        if self.unit is None and found and (state.batch >= LOCK_AFTER_BATCHES or all(s.done > 0 for s in found)):
            self.unit = leading(engine).unit  # type: ignore[union-attr]
        lead = next((s for s in found if s.unit == self.unit), None)
        spend = getattr(engine, "spend", None)
        calls = int(spend.spent().answers) if spend is not None else None
        left = eta(found, state.elapsed)
        return Snapshot(lead, found, state.evaluations, state.batch, state.best_score, state.elapsed, calls, left)


class RunProgress:
    """A rich progress bar over the run's unit that shows the live best score and the ETA."""

    def __init__(self, total: int | None, quiet: bool, console: Console | None = None):
        self.quiet = quiet
        self.tracker = Tracker()
        if not (isinstance(total, int) and not isinstance(total, bool) and total > 0):
            total = None  # a resumed run file's budget is checked later (prepare), and shown only as a number
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[spent]}", markup=False),
            TextColumn("best [cyan]{task.fields[best]}"),  # a formatted number (or "-")
            TimeElapsedColumn(),
            TextColumn("ETA {task.fields[eta]}", markup=False),
            console=console,
            disable=quiet,
            transient=False,
        )
        self.task_id = self.bar.add_task("evolving", total=None, best="-", spent="", eta="-")

    def __enter__(self) -> RunProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, engine: Any, batch: list) -> None:
        snap = self.tracker.snapshot(engine)
        shown = f"{snap.best:.6g}" if snap.best is not None else "-"
        if snap.lead is None:  # the unit is not chosen yet (a budget has not moved): no unit is shown
            self.bar.update(self.task_id, best=shown, eta=clock(snap.eta))
            return
        lead = snap.lead
        self.bar.update(
            self.task_id,
            total=lead.total,
            completed=min(lead.done, lead.total),
            best=shown,
            spent=printable(lead.text()),
            eta=clock(snap.eta),
        )
