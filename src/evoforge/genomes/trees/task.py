"""Tree tasks as values: a :class:`TreeTask` subclass evolves expression trees over its ``variables``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.module_task import ModuleTask
from evoforge.core.task_value import TaskValue

DEFAULT_VARIABLES = ("x",)


@dataclass(kw_only=True)
class TreeTask(TaskValue):
    """A task whose genome is an expression tree (:mod:`evoforge.genomes.trees.operators`); random trees
    draw their leaves from ``variables``."""

    kind: ClassVar[str] = "tree"
    variables: ClassVar[tuple[str, ...]] = DEFAULT_VARIABLES


def variables_of(task: Any) -> list[str]:
    """The input variables of a loaded tree task (``VARIABLES`` of a module-style one; default ``x``)."""
    value = task.value
    found = value.variables if isinstance(value, (TreeTask, ModuleTask)) else None
    return list(found or DEFAULT_VARIABLES)
