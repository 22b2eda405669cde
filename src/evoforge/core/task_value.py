"""Typed task values: the contract a task file's ``TASK`` fulfils, with its options as fields.

A typed task is a ``@dataclass(kw_only=True)`` subclass of :class:`TaskValue`. Fields declared with
:func:`option` are the task's options: ``--set task.NAME=VALUE`` gives a copy of the value with that
field replaced (``dataclasses.replace``, so ``__post_init__`` derives what depends on it again); the
module is never rewritten. The contract, which the loader (:mod:`evoforge.core.task`) reads:

- ``kind``: the genome kind it evolves (one of :data:`evoforge.core.kinds.KINDS`), declared, not guessed;
- ``initial()``: the initial genome (a module-style task's ``SEED``);
- ``evaluate(genome)``: a result dict (``score``, optional ``metrics``, ``descriptors``, ``feedback``) or a number;
- ``description``: what the task is, shown to models and by ``evoforge list``.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from .errors import TaskError
from .task_options import convert_option

OPTION = "evoforge.option"  # the field metadata key that marks an option (its value: the help text)


def option(default: Any, *, help: str = "") -> Any:
    """A task option: a field settable with ``--set task.NAME=VALUE``; its annotation is its type."""
    return dataclasses.field(default=default, metadata={OPTION: help})


@dataclass(kw_only=True)
class TaskValue:
    """Base of typed task values (see the module docstring for the contract)."""

    kind: ClassVar[str] = ""
    description: str = ""

    def initial(self) -> Any:
        """The initial genome."""
        raise NotImplementedError

    def evaluate(self, genome: Any) -> Any:
        """Score one genome: a result dict or a number."""
        raise NotImplementedError

    @classmethod
    def options(cls) -> dict[str, dataclasses.Field]:
        """The fields declared with :func:`option`, by name."""
        return {f.name: f for f in dataclasses.fields(cls) if OPTION in f.metadata}

    def with_options(self, ref: str, options: dict[str, Any]) -> tuple[TaskValue, dict[str, Any]]:
        """A copy with ``options`` (names checked, values converted to the fields' types) and the
        converted options; a bad name or value is one TaskError naming the task."""
        known = self.options()
        hints = typing.get_type_hints(type(self))
        converted = {}
        for key, value in options.items():
            if key not in known:
                names = ", ".join(known) or "none"
                raise TaskError(f"task {ref!r} has no option {key!r} (its options: {names})")
            converted[key] = convert_option(ref, key, value, hints.get(key), known[key].default)
        try:
            return dataclasses.replace(self, **converted), converted
        except (TypeError, ValueError) as err:  # __post_init__ refusing a value (dim=0, an unknown dataset)
            shown = ", ".join(f"{k}={v!r}" for k, v in converted.items())
            raise TaskError(f"task {ref!r}: options {shown} rejected: {' '.join(str(err).split())}") from None
