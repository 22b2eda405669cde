"""The model agents call: chosen per run (``--task-model``), created lazily once per process and spec,
with a response cache (greedy and seeded calls replay for free); the cache is
:mod:`evoforge.llm.task_model`'s."""

from __future__ import annotations

from typing import Any

from evoforge.llm import task_model as task_models

_OVERRIDE = task_models.overridden("agent")  # a model every agent task uses (tests, in-process runs)


def shared_agent_model(spec: str, base_url: str | None = None) -> Any:
    """The process-wide model for ``spec`` (embedded models on ``EVOFORGE_TASK_THREADS`` threads, default 1)."""
    return task_models.shared_task_model("agent", spec, base_url)


def set_agent_model(model: Any) -> None:
    """Make every agent task in this process call ``model`` (None: back to each task's own)."""
    task_models.set_task_model("agent", model)
