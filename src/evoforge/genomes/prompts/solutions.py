"""Helpers for inference-time solution evolution: the genome is a solution as text, the task has a
``PROBLEM`` statement and an evaluator whose ``feedback`` says what is wrong."""

from __future__ import annotations

from typing import Any

import numpy as np

from evoforge.core.task import Task


def problem_of(task: Task) -> str:
    problem = task.attr("PROBLEM")
    if not problem:
        raise ValueError(f"task {task.name!r} has no PROBLEM statement; solution-evolution recipes need one")
    return str(problem)


def say(
    model: Any,
    prompt: str,
    rng: np.random.Generator,
    tag: str,
    *,
    temperature: float = 0.8,
    max_tokens: int = 64,
    system: str | None = None,
) -> str:
    """One model call with a seed drawn from ``rng`` (a resumed run repeats it and hits the cache)."""
    msgs = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    out = model.chat(
        msgs, temperature=temperature, max_tokens=max_tokens, seed=int(rng.integers(0, 2**31 - 1)), tag=tag
    )
    return (out[0].text if out else "").strip()
