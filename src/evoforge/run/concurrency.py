"""What ``--concurrency N`` means for a recipe: N model requests in flight where the recipe can send
them, or one line saying why not.

A recipe whose batches send several requests together names the parameter that counts them
(``Recipe.follows_concurrency``: evolve's ``calls_per_batch``, funsearch's ``batch_size``); when the run
does not set that parameter it follows ``--concurrency`` (and the batch grows to hold it). Such values
are written into the run's configuration, so ``resume`` continues with the same batches. A recipe that
asks one request at a time gets N in flight only from the asynchronous loop (``--async``), which the
note says.
"""

from __future__ import annotations

from typing import Any

from evoforge.core.recipe import Recipe


def plan_concurrency(config: Any, cls: type[Recipe], built: bool = False) -> list[str]:
    """Make ``config`` (a RunConfig) keep ``config.concurrency`` requests in flight with recipe class
    ``cls`` (``config.recipe_params`` gains the parameter that follows it); the notes (one line each)
    say where it cannot. ``built``: the recipe object is given, its parameters are not changed here."""
    n = config.concurrency
    if not n or n <= 1:
        return []
    name = cls.name or cls.__name__
    if not cls.needs_model:
        return [f"--concurrency {n} has no effect: recipe {name!r} calls no model"]
    if config.asynchronous:
        return []  # n proposers, each with its own request
    follow = cls.follows_concurrency
    if follow is None:
        return [
            f"recipe {name!r} sends one model request at a time; with --async, --concurrency {n} keeps "
            f"{n} requests in flight (children proposed while others are evaluated)"
        ]
    params = dict(config.recipe_params)
    if not built and follow not in params:
        params[follow] = n
        if follow != "batch_size" and config.batch_size is None and "batch_size" not in params:
            params["batch_size"] = max(n, int(cls.params().get("batch_size") or 1))
        config.recipe_params = params
    return _capped(config, cls, follow, params, n)


def _capped(config: Any, cls: type[Recipe], follow: str, params: dict[str, Any], n: int) -> list[str]:
    """A note when the batch size or the recipe's own parameter holds the requests below ``n``."""
    defaults = cls.params()
    size = config.batch_size or _whole(params.get("batch_size", defaults.get("batch_size")))
    calls = size if follow == "batch_size" else _whole(params.get(follow, defaults.get(follow)))
    k = min(calls, size)
    if k >= n:
        return []
    why = f"batch size {size}" if size < calls else f"{follow}={calls}"
    return [f"--concurrency {n}: recipe {cls.name!r} sends at most {k} requests together ({why})"]


def _whole(value: Any) -> int:
    """A parameter's value as a count (``--set`` gives text; the recipe checks it later)."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
