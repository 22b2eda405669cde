"""The dashboard's compare view: the runs of the folder in groups (same configuration but for the seed,
:mod:`evoforge.readers.groups`, as ``evoforge compare`` makes them), the keys that tell the groups apart,
and per task one chart of each group's median best-so-far and min-max band on a shared x."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from evoforge.core.errors import StoreError
from evoforge.readers.compare import RunSummary, groups, summarize
from evoforge.readers.groups import band, common_x, differing

from .values import num, text


def _nums(values: list[Any]) -> list[float | None]:
    return [num(v) for v in values]


def compare_data(runs: dict[str, Path]) -> dict[str, Any]:
    """{"differ": keys, "groups": [...], "tasks": {task: {"x", "groups": [{name, median, low, high}]}},
    "errors": [...]} of the run files ``runs`` (name -> path)."""
    summaries: list[RunSummary] = []
    names: dict[str, str] = {}
    errors = []
    for name, path in runs.items():
        try:
            summary = summarize(path)
        except (StoreError, ValueError, TypeError) as err:
            errors.append({"name": text(name, 200), "error": text(str(err), 300)})
            continue
        summaries.append(summary)
        names[summary.path] = name
    grouped = groups(summaries)
    rows, tasks = [], {}
    for label, members in grouped.items():
        bests = [r.best for r in members if r.best is not None]
        rows.append({
            "name": text(label, 300), "task": text(members[0].task, 200), "n": len(members),
            "runs": [text(names[r.path], 200) for r in members],
            "median": num(statistics.median(bests)) if bests else None,
            "min": num(min(bests)) if bests else None, "max": num(max(bests)) if bests else None,
        })  # fmt: skip
    for task in sorted({r.task for r in summaries}):
        in_task = [(label, m) for label, m in grouped.items() if m[0].task == task]
        xs = common_x([r.curve for _, members in in_task for r in members])
        series = []
        for label, members in in_task:
            b = band([r.curve for r in members], xs)
            series.append({"name": text(label, 300), "n": len(members), "median": _nums(b["median"]),
                           "low": _nums(b["low"]), "high": _nums(b["high"])})  # fmt: skip
        tasks[text(task, 200)] = {"x": _nums(list(xs)), "groups": series}
    keys = differing([r.config for r in summaries])
    return {"differ": [text(k, 100) for k in keys], "groups": rows, "tasks": tasks, "errors": errors}
