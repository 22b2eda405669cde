"""The built-in prompt tasks' generated datasets (see :class:`evoforge.prompt_task.PromptTask` for the
genome, scoring and the task model), and the benchmark scripts' way to the task model.

The benchmark scripts name their task model with ``EVOFORGE_TASK_MODEL`` (default ``embedded``),
``EVOFORGE_TASK_THREADS`` and ``EVOFORGE_TASK_BASE_URL``; runs take ``--task-model`` instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evoforge.core.task import default_task_model

from .prompt_task import MAX_DEMOS, extract, make_task_model, set_task_model
from .prompt_task import PromptTask as _PublicPromptTask

__all__ = ["MAX_DEMOS", "PromptTask", "extract", "new_task_model", "set_task_model", "task_model"]


def task_model() -> Any:
    """The process-wide task model the environment names (the benchmark scripts' model)."""
    from .prompt_task import shared_task_model

    return shared_task_model(*default_task_model())


def new_task_model(cache: bool = True) -> Any:
    """A new task model as the environment names it; ``cache=False``: without the shared response cache."""
    spec, base_url = default_task_model()
    return make_task_model(spec, base_url, cache=cache)


@dataclass(kw_only=True)
class PromptTask(_PublicPromptTask):
    """A generated prompt task: ``generate(rng) -> (input, answer)`` makes ``n_train`` train and
    ``n_test`` test items, disjoint and deterministic."""

    generate: Callable[[random.Random], tuple[str, str]]
    n_train: int = 200
    n_test: int = 300
    _data: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def split(self, name: str) -> list[tuple[str, str]]:
        if not self._data:
            rng = random.Random(f"{self.name}-data")
            seen: set[str] = set()
            train: list[tuple[str, str]] = []
            test: list[tuple[str, str]] = []
            for target, size in ((train, self.n_train), (test, self.n_test)):
                tries = 0
                while len(target) < size and tries < 100 * size:
                    tries += 1
                    x, y = self.generate(rng)
                    if x not in seen:
                        seen.add(x)
                        target.append((x, y))
            self._data = {"train": train, "test": test}
        return self._data[name]
