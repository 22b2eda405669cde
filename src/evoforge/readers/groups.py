"""Which runs may be pooled: runs are one group only when their whole configuration is the same (recipe,
task, task options, recipe parameters, models, budget) and they differ in the seed alone. Read by
``compare`` (text and plot) and the dashboard's compare view, so that both name the same groups, and
the median and min-max band of a group's best-so-far curves."""

from __future__ import annotations

import bisect
import json
import math
import statistics
from collections.abc import Sequence
from typing import Any

# top-level settings that change what a run computes (not where or how fast: executor, workers, seed ...)
CONFIG_KEYS = (
    "recipe", "task", "model", "task_model", "budget", "generations", "seconds", "batch_size",
    "max_calls", "max_tokens", "max_cost", "asynchronous",
)  # fmt: skip
NESTED = {"task_options": "task", "recipe_params": "recipe"}  # --set task.dim=30 -> "task.dim"
FIRST = ("recipe", "task")
BAND_POINTS = 200  # points of a group's median and band


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def config_keys(config: dict[str, Any]) -> dict[str, str]:
    """A run's configuration as flat ``key: value text``: the settings in ``CONFIG_KEYS``, task options
    as ``task.NAME`` and recipe parameters as ``recipe.NAME``; unset (None) values left out."""
    flat = {k: _value(config[k]) for k in CONFIG_KEYS if config.get(k) is not None}
    for field, prefix in NESTED.items():
        nested = config.get(field)
        if isinstance(nested, dict):
            flat.update({f"{prefix}.{k}": _value(v) for k, v in nested.items() if v is not None})
    return flat


def differing(configs: Sequence[dict[str, str]]) -> list[str]:
    """The keys whose value is not the same in every one of ``configs`` (absent counts as a value):
    recipe and task first, then the others by name."""
    keys = {k for c in configs for k in c}
    varied = {k for k in keys if len({c.get(k) for c in configs}) > 1}
    return [k for k in FIRST if k in varied] + sorted(varied - set(FIRST))


def group_label(config: dict[str, str], keys: Sequence[str], task_name: str | None = None) -> str:
    """``recipe on task`` and, after a comma, each key of ``keys`` (other than those two) with its value."""
    task = task_name if task_name is not None else config.get("task", "?")
    extra = [f"{k}={config.get(k, '-')}" for k in keys if k not in FIRST]
    return ", ".join([f"{config.get('recipe', '?')} on {task}", *extra])


def group_indices(configs: Sequence[dict[str, str]]) -> dict[tuple[tuple[str, str], ...], list[int]]:
    """Indices of ``configs`` by identical configuration, in order of first appearance."""
    out: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i, config in enumerate(configs):
        out.setdefault(tuple(sorted(config.items())), []).append(i)
    return out


def _at(curve: Sequence[tuple[float, float]], x: float) -> float | None:
    """A best-so-far step curve's value at ``x``: None before its first point or after its last."""
    if not curve or x < curve[0][0] or x > curve[-1][0]:
        return None
    return curve[bisect.bisect_right(curve, (x, math.inf)) - 1][1]


def common_x(curves: Sequence[Sequence[tuple[float, float]]]) -> list[float]:
    """The x values of all ``curves``, at most ``BAND_POINTS`` of them (evenly thinned, ends kept)."""
    xs = sorted({x for c in curves for x, _ in c})
    if len(xs) > BAND_POINTS:
        step = (len(xs) - 1) / (BAND_POINTS - 1)
        xs = sorted({xs[round(i * step)] for i in range(BAND_POINTS)})
    return xs


def band(
    curves: Sequence[Sequence[tuple[float, float]]], xs: Sequence[float] | None = None
) -> dict[str, list[float | None]]:
    """The median and the min-max band of best-so-far curves ((evaluations, best) steps) at ``xs``
    (default: :func:`common_x` of the curves); at each x only the runs that got that far count."""
    xs = common_x(curves) if xs is None else xs
    out: dict[str, list[float | None]] = {"x": [], "median": [], "low": [], "high": [], "runs": []}
    for x in xs:
        here = [v for v in (_at(c, x) for c in curves) if v is not None]
        out["x"].append(x)
        out["median"].append(statistics.median(here) if here else None)
        out["low"].append(min(here) if here else None)
        out["high"].append(max(here) if here else None)
        out["runs"].append(len(here))
    return out
