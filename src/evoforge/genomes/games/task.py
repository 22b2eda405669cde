"""Game tasks as values: a genome is a record of multi-agent play (what the players said), and the task
scores the record again. Each game's recipe checks that its task plays its ``game``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.module_task import ModuleTask
from evoforge.core.task_value import TaskValue


@dataclass(kw_only=True)
class GameTask(TaskValue):
    """A task whose genomes are records of one game (``game``: negotiation, norms, language, transmission)."""

    kind: ClassVar[str] = "game"
    game: ClassVar[str] = ""


def game_of(task: Any) -> str | None:
    """Which game a loaded task's records are of (``GAME`` of a module-style one), or None."""
    value = task.value
    return value.game if isinstance(value, (GameTask, ModuleTask)) else None
