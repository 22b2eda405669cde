"""Helpers for inference-time solution evolution: the genome is a solution as text, the task has a
``PROBLEM`` statement and an evaluator whose ``feedback`` says what is wrong."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..task import Task


def problem_of(task: Task) -> str:
    problem = task.attr("PROBLEM")
    if not problem:
        raise ValueError(f"task {task.name!r} has no PROBLEM statement; solution-evolution recipes need one")
    return str(problem)


def say(model: Any, prompt: str, rng: np.random.Generator, tag: str, *, temperature: float = 0.8,
        max_tokens: int = 64, system: str | None = None) -> str:
    """One model call with a seed drawn from ``rng`` (a resumed run repeats it and hits the cache)."""
    msgs = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    out = model.chat(msgs, temperature=temperature, max_tokens=max_tokens,
                     seed=int(rng.integers(0, 2**31 - 1)), tag=tag)
    return (out[0].text if out else "").strip()


def boltzmann(pool: list, k: int, rng: np.random.Generator, temperature: float = 0.1) -> list:
    """``k`` draws from ``pool`` with probability proportional to exp(fitness / temperature)."""
    if not pool:
        return []
    fit = np.array([c.fitness() if np.isfinite(c.fitness()) else -1.0 for c in pool], dtype=float)
    w = np.exp((fit - fit.max()) / max(temperature, 1e-6))
    idx = rng.choice(len(pool), size=k, p=w / w.sum())
    return [pool[int(i)] for i in idx]
