"""``evoforge compare``: several runs (or seeds of one) side by side: each run's best, the recipe's own
answer and the seed's score, and per group of runs whose configuration is the same but for the seed
(:mod:`.groups`: recipe, task, task options, recipe parameters, models, budget) the median and range;
with ``-o`` the groups' median best-so-far curves and min-max bands over evaluations, one panel per
task, in one PNG. Which configuration keys tell the groups apart is printed and in the plot's title."""

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

from .groups import band, config_keys, differing, group_indices, group_label


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
    config: dict[str, str] = field(default_factory=dict)  # groups.config_keys of the run


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
            config=config_keys(config),
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


def groups(runs: list[RunSummary]) -> dict[str, list[RunSummary]]:
    """The runs by group (same configuration but for the seed), each named by its recipe, task and
    the values of the keys in which groups differ; sorted by name."""
    keys = differing([r.config for r in runs])
    out: dict[str, list[RunSummary]] = {}
    for members in group_indices([r.config for r in runs]).values():
        first = runs[members[0]]
        name = group_label(first.config, keys, first.task)
        name = name if name not in out else group_label(first.config, keys)  # two task files of one name
        out[name] = [runs[i] for i in members]
    return dict(sorted(out.items()))


def differences(runs: list[RunSummary]) -> str:
    """One line: the configuration keys in which the groups differ (or that there is one group)."""
    keys = differing([r.config for r in runs])
    return f"groups differ in: {', '.join(keys)}" if keys else "one configuration: all runs are seeds of one group"


def print_comparison(runs: list[RunSummary], console: Console) -> None:
    """One row per run, then one per group (same configuration but for the seed): the median over its runs."""
    grouped = groups(runs)
    table = Table(title="runs", header_style="bold")
    numbers = ("seed", "evals", "seed score", "best", "answer")
    answers = any(r.answer is not None for r in runs)
    for col in ("run", "group", *numbers):
        if col != "answer" or answers:
            right = col in numbers
            table.add_column(col, justify="right" if right else "left", no_wrap=right, overflow="fold")
    for name, members in grouped.items():
        for r in members:
            done = str(r.evaluations) if r.status == "finished" else f"{r.evaluations} ({r.status})"
            cells = [Path(r.path).name, name, str(r.seed), done, _fmt(r.seed_score), _fmt(r.best)]
            table.add_row(*(Text(printable(c)) for c in cells), *([_fmt(r.answer)] if answers else []))
    console.print(table)
    console.print(Text(printable(differences(runs))))
    summary = Table(title="median over the runs of each group (seeds of one configuration)", header_style="bold")
    for col in ("group", "runs", "median best", "min best", "max best", "median answer", "median seed"):
        if col != "median answer" or answers:
            right = col != "group"
            summary.add_column(col, justify="right" if right else "left", no_wrap=right, overflow="fold")
    for name, members in grouped.items():
        bests = [r.best for r in members if r.best is not None]
        cells: list[Any] = [Text(printable(name)), str(len(members)), _fmt(_median(bests))]
        cells += [_fmt(min(bests) if bests else None), _fmt(max(bests) if bests else None)]
        cells += [_fmt(_median([r.answer for r in members]))] if answers else []
        summary.add_row(*cells, _fmt(_median([r.seed_score for r in members])))
    console.print(summary)


def plot_curves(runs: list[RunSummary], png: str | Path) -> Path:
    """Per task one panel: each group's median best-so-far over evaluations and its min-max band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grouped = groups(runs)
    tasks = sorted({r.task for r in runs})
    fig, axs = plt.subplots(1, len(tasks), figsize=(min(6.5 * len(tasks), 20), 4.8), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (name, members) in enumerate(grouped.items()):
        ax = axs[0][tasks.index(members[0].task)]
        curves = band([r.curve for r in members if r.curve])
        if not curves["x"]:
            continue
        colour = colours[k % len(colours)]
        ax.step(
            curves["x"], curves["median"], where="post", color=colour, lw=1.8, label=f"{name} ({len(members)} runs)"
        )
        if len(members) > 1:
            ax.fill_between(curves["x"], curves["low"], curves["high"], step="post", color=colour, alpha=0.2, lw=0)
    for ax, task in zip(axs[0], tasks):
        ax.set_title(printable(task)[:60])
        ax.set_xlabel("evaluations")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    axs[0][0].set_ylabel("best score so far: median, band min-max")
    fig.suptitle(printable(differences(runs))[:160], fontsize=9)
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
