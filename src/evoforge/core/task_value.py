"""Typed task values: the contract a task file's ``TASK`` fulfils, with its options as fields.

A typed task is a ``@dataclass(kw_only=True)`` subclass of :class:`TaskValue`. Fields declared with
:func:`option` are the task's options: ``--set task.NAME=VALUE`` gives a copy of the value with that
field replaced (``dataclasses.replace``, so ``__post_init__`` derives what depends on it again); the
module is never rewritten. The contract, which the loader (:mod:`evoforge.core.task`) reads:

Every task has

- ``kind``: the genome kind it evolves (one of :data:`evoforge.core.kinds.KINDS`), declared by its class,
  not guessed (empty: inferred from ``initial()``);
- ``initial()``: the initial genome;
- ``evaluate(genome)``: a result dict (``score``, optional ``metrics``, ``descriptors``, ``feedback``) or a number;
- ``description``: what the task is, shown to models and by ``evoforge list`` (empty: the file's docstring);
- ``data_files``: the files and folders next to the task file that its evaluator reads, as paths relative
  to the task file's folder (no absolute paths, nothing outside that folder); under ``--sandbox`` only the
  task file and these are mounted (read-only), never the folder they are in. A field: declare it in a
  class with its annotation (``data_files: tuple[str, ...] = ("data.csv",)``) or give it to the
  constructor (``VectorTask(..., data_files=["weights/"])``); module-style files set ``DATA_FILES``.

Optional parts are attributes that are None where the task has no such part (the defaults below). A
class offers one as a class attribute, a property, a method, or a field that holds a value or function
(:class:`~evoforge.genomes.vectors.task.VectorTask` takes ``evaluate_array=`` as a field):

- ``bounds``: ``(low, high)``, what recipes clip vector genomes to;
- ``descriptor_bounds``: ``[(low, high), ...]``, the axes of archives over behaviour descriptors, and
  ``descriptor_names``: their names on plots;
- ``failure_score``: a score at or below it is a failed evaluation (a sentinel such as -1000 for a
  broken program fails with a reason instead of ranking last among the successes), and
  ``failure_reason(result) -> str | None``: the reason a result counts as failed, if it does;
- ``evaluate_batch(genomes) -> [result, ...]``: several genomes in one call (vectorised tasks);
- ``evaluate_array(rows) -> (scores, descriptors | None)``: the array path, rows an (n, d) numpy array;
  recipes with one (MAP-Elites, CMA-ES) evaluate a whole batch in-process and record the rows they keep;
- ``relative_fitness(reference, rows) -> values``: comparable values of ``rows`` as seen from
  ``reference`` (dynamic functions, higher is better), which the bit-string recipes select by;
- ``draw(ax)``: draws the task's world on a matplotlib axis (``evoforge plot``, e.g. the hard maze);
- ``use_model(model, base_url)``: the task calls a model itself (prompt and agent tasks; ``--task-model``).

Facts that only one genome kind has are fields of that kind's value class (a program task's
``function`` and ``ideas``, a solution task's ``problem``, a game task's ``game``, an agent task's
``search`` items ...), read as such by the recipes of that kind.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from .errors import TaskError
from .task_options import convert_option

OPTION = "evoforge.option"  # the field metadata key that marks an option (its value: the help text)
OPTION_NAME = "evoforge.option_name"  # an option's name where it differs from its field's


def option(default: Any, *, help: str = "", name: str | None = None) -> Any:
    """A task option: a field settable with ``--set task.NAME=VALUE``; its annotation is its type (``bool``,
    ``int``, ``float``, ``str``, or one of them ``| None``). ``name``: the option's name where the field
    must be called otherwise (an agent task's ``search`` field holds its items, its option ``search``
    says how many: ``n_search: int = option(30, name="search")``)."""
    metadata: dict[str, Any] = {OPTION: help}
    if name is not None:
        metadata[OPTION_NAME] = name
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(kw_only=True)
class TaskValue:
    """Base of typed task values (see the module docstring for the contract)."""

    kind: ClassVar[str] = ""
    description: str = ""
    data_files: tuple[str, ...] | list[str] = ()  # relative to the task file; checked by the loader

    bounds: ClassVar[tuple[float, float] | None] = None
    descriptor_bounds: ClassVar[Any] = None  # a list of (low, high) pairs
    descriptor_names: ClassVar[list[str] | None] = None
    failure_score: ClassVar[float | None] = None
    failure_reason: ClassVar[Callable[[dict[str, Any]], Any] | None] = None
    evaluate_batch: ClassVar[Callable[[list[Any]], list[Any]] | None] = None
    evaluate_array: ClassVar[Callable[[Any], Any] | None] = None
    relative_fitness: ClassVar[Callable[[Any, Any], Any] | None] = None
    draw: ClassVar[Callable[[Any], None] | None] = None
    use_model: ClassVar[Callable[..., None] | None] = None

    def initial(self) -> Any:
        """The initial genome."""
        raise NotImplementedError

    def evaluate(self, genome: Any) -> Any:
        """Score one genome: a result dict or a number."""
        raise NotImplementedError

    @classmethod
    def options(cls) -> dict[str, dataclasses.Field]:
        """The fields declared with :func:`option`, by option name."""
        return {f.metadata.get(OPTION_NAME, f.name): f for f in dataclasses.fields(cls) if OPTION in f.metadata}

    def with_options(self, ref: str, options: dict[str, Any]) -> tuple[TaskValue, dict[str, Any]]:
        """A copy with ``options`` (names checked, values converted to the fields' types) and the
        converted options; a bad name or value is one TaskError naming the task."""
        if not options:
            return self, {}
        known = self.options()
        converted, fields = {}, {}
        for key, value in options.items():
            if key not in known:
                names = ", ".join(known) or "none"
                raise TaskError(f"task {ref!r} has no option {key!r} (its options: {names})")
            spec = known[key]
            converted[key] = convert_option(ref, key, value, _annotation(spec), spec.default)
            fields[spec.name] = converted[key]
        try:
            return dataclasses.replace(self, **fields), converted
        except (TypeError, ValueError) as err:  # __post_init__ refusing a value (dim=0, an unknown dataset)
            shown = ", ".join(f"{k}={v!r}" for k, v in converted.items())
            noun = "options" if len(converted) > 1 else "option"
            raise TaskError(f"task {ref!r}: {noun} {shown} rejected: {' '.join(str(err).split())}") from None


def _annotation(spec: dataclasses.Field) -> Any:
    """An option field's type. Task files are loaded without entering ``sys.modules``, so a string
    annotation is read against the builtins only (options are simple types); None if that fails."""
    if not isinstance(spec.type, str):
        return spec.type
    try:
        return eval(spec.type, {"__builtins__": builtins})  # a type expression of the task's own class
    except Exception:
        return None
