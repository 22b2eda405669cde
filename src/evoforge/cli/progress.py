"""The progress bar of ``run`` and ``resume``: its total follows whichever budget will end the run
(evaluations, batches, seconds, model calls, tokens or cost), so a run stopped by ``--max-calls``
ends at "200/200 model calls", not at "178/1000" evaluations."""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from evoforge.core.text import printable


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
    """The budget nearest to ending the run (the largest fraction spent; evaluations on a tie)."""
    found = budgets(engine)
    return max(found, key=lambda s: s.fraction) if found else None


class RunProgress:
    """A rich progress bar over the leading budget that shows the live best score."""

    def __init__(self, total: int | None, quiet: bool, console: Console | None = None):
        self.quiet = quiet
        if not (isinstance(total, int) and not isinstance(total, bool) and total > 0):
            total = None  # a resumed run file's budget is checked later (prepare), and shown only as a number
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[spent]}", markup=False),
            TextColumn("best [cyan]{task.fields[best]}"),  # a formatted number (or "-")
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=False,
        )
        spent = f"0/{total} evaluations" if total is not None else ""
        self.task_id = self.bar.add_task("evolving", total=total, best="-", spent=spent)

    def __enter__(self) -> RunProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, engine: Any, batch: list) -> None:
        best = engine.state.best_score
        lead = leading(engine)
        shown = f"{best:.6g}" if best is not None else "-"
        if lead is None:
            self.bar.update(self.task_id, completed=engine.state.evaluations, best=shown)
            return
        spent = printable(lead.text())
        self.bar.update(self.task_id, total=lead.total, completed=min(lead.done, lead.total), best=shown, spent=spent)
