"""Helpers shared by the prompt-evolution recipes: task facts, minibatches, metric-call accounting."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.task import Task

from .prompt_task import PromptTask


def task_facts(task: Task) -> tuple[str, list[tuple[str, str]], dict[str, Any]]:
    """(description, train pairs, seed prompt) of a prompt task (see ``evoforge.genomes.prompts.task``)."""
    spec = task.value if isinstance(task.value, PromptTask) else None
    description = (spec.description if spec is not None else "") or task.description or task.name
    description = description.split(":", 1)[-1].strip() if description.startswith("prompt evolution") else description
    train = [tuple(p) for p in spec.split("train")] if spec is not None else []
    seed = task.seed if isinstance(task.seed, dict) else {"instruction": str(task.seed or ""), "demos": []}
    return description, train, seed


def prompt_key(unit: dict[str, Any]) -> str:
    return json.dumps([unit.get("instruction", ""), unit.get("demos", [])], sort_keys=True)


def minibatch(rng: np.random.Generator, size: int, n_train: int) -> list[int]:
    size = max(1, min(size, n_train))
    return sorted(int(i) for i in rng.choice(n_train, size=size, replace=False))


def metric_calls_of(cand: Candidate) -> int:
    """Items an evaluation scored (0 for rejected candidates; a failed one counts what it asked for)."""
    if cand.status == "rejected":
        return 0
    if cand.ok:
        return int(cand.metrics.get("metric_calls", len(cand.genome.get("items") or [])))
    return len(cand.genome.get("items") or []) if isinstance(cand.genome, dict) else 1
