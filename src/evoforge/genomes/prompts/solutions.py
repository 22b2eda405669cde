"""Inference-time solution evolution: the genome is a solution as text, the task (a :class:`SolutionTask`)
has a ``problem`` statement and an evaluator whose ``feedback`` says what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.model_call import ModelCall
from evoforge.core.module_task import ModuleTask
from evoforge.core.task import Task
from evoforge.core.task_value import TaskValue


@dataclass(kw_only=True)
class SolutionTask(TaskValue):
    """A task whose genome is a solution as text to ``problem`` (shown to the model), starting empty."""

    kind: ClassVar[str] = "solution"
    problem: str = ""

    def initial(self) -> str:
        return ""


def problem_of(task: Task) -> str:
    """The problem statement of a loaded solution task (``PROBLEM`` of a module-style one)."""
    value = task.value
    problem = value.problem if isinstance(value, (SolutionTask, ModuleTask)) else None
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
    return say_call(model, prompt, rng, tag, temperature=temperature, max_tokens=max_tokens, system=system)[0]


def say_call(
    model: Any,
    prompt: str,
    rng: np.random.Generator,
    tag: str,
    *,
    temperature: float = 0.8,
    max_tokens: int = 64,
    system: str | None = None,
) -> tuple[str, ModelCall]:
    """:func:`say`'s answer (stripped) and the record of the request and its raw answer."""
    msgs = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    out = model.chat(
        msgs, temperature=temperature, max_tokens=max_tokens, seed=int(rng.integers(0, 2**31 - 1)), tag=tag
    )
    answer = out[0].text if out else ""
    return answer.strip(), ModelCall.of(msgs, answer)
