"""The models task evaluators call (prompt tasks, agent tasks): one process-wide cache of them.

A task names its model per run (``--task-model``); the model is created lazily, once per process,
kind of task and spec, with the kind's response cache (greedy and seeded calls replay for free).
Tests and in-process runs can make every task of a kind call one given model (:func:`set_task_model`).
"""

from __future__ import annotations

import os
from typing import Any

from .base import Model

# kind of task -> its response cache, in the user's cache folder
CACHE_FILES = {"prompt": "task-cache.sqlite", "agent": "agent-cache.sqlite"}

_MODELS: dict[tuple[str, str, str | None], Model] = {}  # (kind, spec, base_url) -> model
_OVERRIDES: dict[str, list[Any]] = {kind: [] for kind in CACHE_FILES}  # kind -> [a model every such task calls]


def make_task_model(
    spec: str = "embedded",
    base_url: str | None = None,
    cache: str | None = "task-cache.sqlite",
    threads: int | None = None,
) -> Model:
    """A new task model for ``spec``; embedded models run on ``threads`` threads (default
    ``EVOFORGE_TASK_THREADS`` or 1); ``cache``: the response cache's file name in the user's cache
    folder (None: no cache)."""
    from . import get_model
    from .model_files import user_cache_dir

    threads = threads if threads is not None else int(os.environ.get("EVOFORGE_TASK_THREADS") or 1)
    opts: dict[str, Any] = {"n_threads": threads} if spec.startswith("embedded") else {}
    return get_model(
        spec,
        base_url=base_url if spec.startswith("openai") else None,
        cache=user_cache_dir() / cache if cache else None,
        **opts,
    )


def shared_task_model(kind: str, spec: str, base_url: str | None = None) -> Any:
    """The process-wide model tasks of ``kind`` call for ``spec`` (created on first use), or the model
    set for every task of that kind."""
    if _OVERRIDES[kind]:
        return _OVERRIDES[kind][0]
    key = (kind, spec, base_url)
    if key not in _MODELS:
        _MODELS[key] = make_task_model(spec, base_url, cache=CACHE_FILES[kind])
    return _MODELS[key]


def overridden(kind: str) -> list[Any]:
    """The (live) list holding the model every task of ``kind`` calls, empty when there is none."""
    return _OVERRIDES[kind]


def set_task_model(kind: str, model: Any) -> None:
    """Make every task of ``kind`` in this process call ``model`` (None: back to each task's own)."""
    _OVERRIDES[kind][:] = [model] if model is not None else []
