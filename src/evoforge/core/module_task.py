"""Module-style tasks as typed values: a task file of plain names (``SEED``, ``evaluate``, ``BOUNDS`` ...)
read once, after its ``configure()``, into a :class:`ModuleTask`, so that everything past the loader
reads one typed contract (:mod:`evoforge.core.task_value`) whichever way a task was written.

The names a module-style task may define, and the fields they become:

- ``SEED`` (required) and ``evaluate(genome)`` (required); ``DESCRIPTION``; ``GENOME``, the genome kind;
  ``DATA_FILES``, the files and folders the evaluator reads, relative to the task file (what ``--sandbox``
  mounts besides the task file);
- the optional parts of the contract: ``BOUNDS``, ``DESCRIPTOR_BOUNDS``, ``DESCRIPTOR_NAMES``,
  ``FAILURE_SCORE``, ``failure_reason``, ``evaluate_batch``, ``evaluate_array``, ``relative_fitness``, ``draw``;
- facts of one genome kind: ``FUNCTION``, ``IDEAS``, ``HINT``, ``LINE_EXAMPLE`` (programs: the evolved
  function, one idea per model call, a line on pitfalls, the shape of a one-line edit), ``PROBLEM``
  (solutions: the problem statement), ``GAME`` (games: which game the records are of) and
  ``VARIABLES`` (trees: the input variables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .task_value import TaskValue

# field -> the module-style name it is read from, for the optional parts every task may have ...
PART_NAMES: dict[str, str] = {
    "description": "DESCRIPTION",
    "kind": "GENOME",
    "data_files": "DATA_FILES",
    "bounds": "BOUNDS",
    "descriptor_bounds": "DESCRIPTOR_BOUNDS",
    "descriptor_names": "DESCRIPTOR_NAMES",
    "failure_score": "FAILURE_SCORE",
    "failure_reason": "failure_reason",
    "evaluate_batch": "evaluate_batch",
    "evaluate_array": "evaluate_array",
    "relative_fitness": "relative_fitness",
    "draw": "draw",
}
# ... and for the facts of one genome kind
FACT_NAMES: dict[str, str] = {
    "function": "FUNCTION",
    "ideas": "IDEAS",
    "hint": "HINT",
    "line_example": "LINE_EXAMPLE",
    "problem": "PROBLEM",
    "game": "GAME",
    "variables": "VARIABLES",
}


@dataclass(kw_only=True)
class ModuleTask(TaskValue):
    """A module-style task's names, typed (see the module docstring for which name is which field)."""

    seed: Any
    evaluate: Callable[[Any], Any]
    kind: str = ""  # GENOME: declared per task here, per class in typed values
    bounds: tuple[float, float] | None = None
    descriptor_bounds: Any = None
    descriptor_names: Any = None  # checked by the loader
    failure_score: Any = None  # checked by the loader
    failure_reason: Any = None
    evaluate_batch: Callable[[list[Any]], list[Any]] | None = None
    evaluate_array: Callable[[Any], Any] | None = None
    relative_fitness: Callable[[Any, Any], Any] | None = None
    draw: Callable[[Any], None] | None = None
    function: str | None = None
    ideas: list[str] | None = None
    hint: str | None = None
    line_example: str | None = None
    problem: str | None = None
    game: str | None = None
    variables: list[str] | None = None

    def initial(self) -> Any:
        return self.seed

    @classmethod
    def from_names(cls, names: dict[str, Any]) -> ModuleTask:
        """The value of a module namespace that defines ``SEED`` and ``evaluate``."""
        fields = {f: names[n] for f, n in (PART_NAMES | FACT_NAMES).items() if names.get(n) is not None}
        return cls(seed=names["SEED"], evaluate=names["evaluate"], **fields)
