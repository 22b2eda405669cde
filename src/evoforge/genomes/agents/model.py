"""The model agents call: chosen per run (``--task-model``), created lazily once per process and spec,
with a response cache (greedy and seeded calls replay for free)."""

from __future__ import annotations

import os
from typing import Any

_MODELS: dict[tuple[str, str | None], Any] = {}
_OVERRIDE: list[Any] = []  # a model every agent task uses (tests, in-process runs)


def shared_agent_model(spec: str, base_url: str | None = None) -> Any:
    """The process-wide model for ``spec`` (embedded models on ``EVOFORGE_TASK_THREADS`` threads, default 1)."""
    if _OVERRIDE:
        return _OVERRIDE[0]
    key = (spec, base_url)
    if key not in _MODELS:
        from evoforge.llm import get_model
        from evoforge.llm.embedded import user_cache_dir

        threads = int(os.environ.get("EVOFORGE_TASK_THREADS") or 1)
        opts: dict[str, Any] = {"n_threads": threads} if spec.startswith("embedded") else {}
        _MODELS[key] = get_model(
            spec,
            base_url=base_url if spec.startswith("openai") else None,
            cache=user_cache_dir() / "agent-cache.sqlite",
            **opts,
        )
    return _MODELS[key]


def set_agent_model(model: Any) -> None:
    """Make every agent task in this process call ``model`` (None: back to each task's own)."""
    _OVERRIDE[:] = [model] if model is not None else []
