"""``evoforge compare``: several runs (or seeds of one) side by side: each run's best, the recipe's own
answer and the seed's score, the median over the runs of each recipe on each task, and (with ``-o``)
their best-so-far curves over evaluations in one PNG."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from evoforge.core.errors import ConfigError, StoreError
from evoforge.core.text import printable
from evoforge.store.facts import recipe_answer, seed_score
from evoforge.store.run_file import RunStore


@dataclass
class RunSummary:
    """What ``compare`` shows of one run file."""

    path: str
    recipe: str
    task: str
    seed: Any
    status: str
    stop_reason: str
    evaluations: int
    best: float | None
    answer: float | None
    seed_score: float | None
    curve: list[tuple[int, float]] = field(default_factory=list)  # (evaluations, best so far)

    @property
    def group(self) -> tuple[str, str]:
        return self.recipe, self.task


def run_files(paths: list[str]) -> list[Path]:
    """The run files named: files as given, folders as the ``*.db`` files in them (sorted)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.glob("*.db") if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(f"no run file or folder {name}")
    if not found:
        raise ConfigError(f"no run files (*.db) in {', '.join(paths)}")
    return found


def summarize(path: Path) -> RunSummary:
    store = RunStore.open(path)
    try:
        config, last = store.config, store.last_batch() or {}
        best = store.best()
        answer, seed = recipe_answer(store), seed_score(store)
        task = str(config.get("task", "?"))
        return RunSummary(
            path=str(path),
            recipe=str(config.get("recipe", "?")),
            task=Path(task).stem if task.endswith(".py") else task,
            seed=config.get("seed"),
            status=str(store.meta("status", "?")),
            stop_reason=str(store.meta("stop_reason", "-")),
            evaluations=int(last.get("evaluations") or 0),
            best=best.score if best is not None else None,
            answer=_number((answer or {}).get("score")),
            seed_score=_number((seed or {}).get("score")) if (seed or {}).get("status") == "ok" else None,
            curve=[(b["evaluations"], b["best_score"]) for b in store.batches() if b["best_score"] is not None],
        )
    finally:
        store.close()


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fmt(value: float | None) -> str:
    return f"{value:.5g}" if value is not None else "-"


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def groups(runs: list[RunSummary]) -> dict[tuple[str, str], list[RunSummary]]:
    out: dict[tuple[str, str], list[RunSummary]] = {}
    for run in runs:
        out.setdefault(run.group, []).append(run)
    return out


def print_comparison(runs: list[RunSummary], console: Console) -> None:
    """One row per run, then one per recipe and task: the medians over its runs (seeds)."""
    table = Table(title="runs", header_style="bold")
    numbers = ("seed", "evals", "seed score", "best", "answer")
    answers = any(r.answer is not None for r in runs)
    for col in ("run", "recipe on task", *numbers):
        if col != "answer" or answers:
            right = col in numbers
            table.add_column(col, justify="right" if right else "left", no_wrap=right, overflow="fold")
    for r in sorted(runs, key=lambda r: r.group):
        done = str(r.evaluations) if r.status == "finished" else f"{r.evaluations} ({r.status})"
        cells = [Path(r.path).name, f"{r.recipe} on {r.task}", str(r.seed), done, _fmt(r.seed_score), _fmt(r.best)]
        table.add_row(*(Text(printable(c)) for c in cells), *([_fmt(r.answer)] if answers else []))
    console.print(table)
    summary = Table(title="median over runs, per recipe and task", header_style="bold")
    for col in ("recipe on task", "runs", "median best", "min best", "max best", "median answer", "median seed"):
        if col != "median answer" or answers:
            right = col != "recipe on task"
            summary.add_column(col, justify="right" if right else "left", no_wrap=right, overflow="fold")
    for (recipe, task), members in sorted(groups(runs).items()):
        bests = [r.best for r in members if r.best is not None]
        cells: list[Any] = [Text(printable(f"{recipe} on {task}")), str(len(members)), _fmt(_median(bests))]
        cells += [_fmt(min(bests) if bests else None), _fmt(max(bests) if bests else None)]
        cells += [_fmt(_median([r.answer for r in members]))] if answers else []
        summary.add_row(*cells, _fmt(_median([r.seed_score for r in members])))
    console.print(summary)


def plot_curves(runs: list[RunSummary], png: str | Path) -> Path:
    """Best score so far over evaluations, one line per run, one colour per recipe and task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (key, members) in enumerate(sorted(groups(runs).items())):
        for i, run in enumerate(members):
            if run.curve:
                x, y = zip(*run.curve)
                label = f"{key[0]} on {key[1]} ({len(members)} runs)" if i == 0 else None
                ax.step(x, y, where="post", color=colours[k % len(colours)], alpha=0.8, lw=1.5, label=label)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best score so far (higher is better)")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(png)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(path, dpi=110)
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        plt.close(fig)
    return path
