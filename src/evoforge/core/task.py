"""The task interface: a typed value (``TASK = ...``) or a module of plain names (``SEED``, ``evaluate``).

Built-in tasks are named (``sphere``), user tasks are paths (``./my_task.py``). A task file either sets
``TASK`` to a :class:`~evoforge.core.task_value.TaskValue` (the typed contract; ``--set task.KEY=VALUE``
replaces its option fields) or defines, module-style, ``SEED``, ``evaluate(genome) -> dict`` and optional
names (:mod:`evoforge.core.module_task` lists them), with ``configure(**options)`` taking the options
(checked against its signature first). The loader reads either into one :class:`Task` whose optional
parts are typed attributes (``task.bounds``, ``task.evaluate_batch``, ``task.kind`` ...) and whose
``value`` is the typed value (a module-style file's is a :class:`ModuleTask`). A file with ``TASK`` may
also define ``configure()`` (it then takes the options and may rebind ``TASK``) and module-style names of
its own, which win over the value's.

Tasks are values: every :func:`load_task` executes the module's source into a new module object, so
options change only that instance and never leak from one load into the next.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import os
import pkgutil
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import TaskError
from .kinds import genome_kind
from .module_task import PART_NAMES, ModuleTask
from .moved import moved_module
from .suggest import did_you_mean
from .task_options import check_options
from .task_value import TaskValue

BUILTIN_PACKAGE = "evoforge.tasks"
DESCRIPTION_LIMIT = 800  # characters of a docstring used as the description
FUNCTIONS = ("failure_reason", "evaluate_batch", "evaluate_array", "relative_fitness", "draw")  # optional parts
_LOADS = itertools.count()
_EXECUTING = threading.RLock()  # one task module runs at a time (see _execute)


@dataclass
class Task:
    """A loaded task. ``ref``, ``options`` and ``context`` are enough to load it again in another process.
    The optional functions (``evaluate_batch``, ``relative_fitness`` ...) come wrapped so that a recipe
    may keep them in its pickled state; each is None when the task has no such part."""

    ref: str
    seed: Any
    evaluate: Callable[[Any], Any]
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    descriptor_bounds: list[tuple[float, float]] | None = None
    descriptor_names: list[str] | None = None  # axis names of the archive's views
    bounds: tuple[float, float] | None = None  # what recipes clip vector genomes to
    failure_score: float | None = None  # a score at or below it is a failed evaluation
    declared_kind: str = ""  # the genome kind the task declares ('' : inferred from the seed)
    data_files: tuple[str, ...] = ()  # what its evaluator reads, relative to the task file's folder (DATA_FILES)
    module: ModuleType | None = field(default=None, repr=False)
    value: TaskValue | None = field(default=None, repr=False)  # the typed value (ModuleTask for module style)
    task_model: Any = None  # the model a prompt task calls (spec or Model)
    task_base_url: str | None = None
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict, repr=False)  # FUNCTIONS it has

    @property
    def name(self) -> str:
        return Path(self.ref).stem if self.ref.endswith(".py") else self.ref.rsplit(".", 1)[-1]

    @property
    def kind(self) -> str:
        """The genome kind it evolves: declared, else inferred from the seed (:mod:`evoforge.core.kinds`)."""
        return genome_kind(self)

    @property
    def context(self) -> dict[str, Any]:
        """What besides ``ref`` and ``options`` a reload needs: the task model, as plain strings."""
        model = self.task_model if isinstance(self.task_model, str) else None
        return {"task_model": model, "task_base_url": self.task_base_url}

    @property
    def uses_model(self) -> bool:
        """Whether the task calls a model itself (a prompt or agent task)."""
        return self.value is not None and callable(self.value.use_model)

    def use_model(self, model: Any, base_url: str | None = None) -> None:
        """Make this task instance call ``model`` (a spec such as ``embedded`` or ``openai:NAME``, or a
        model object, e.g. a scripted one in tests). Only tasks that call a model take one."""
        if not self.uses_model:
            raise TaskError(f"task {self.ref!r} calls no model; --task-model applies to prompt tasks")
        self.value.use_model(model, base_url)  # type: ignore[union-attr,misc]
        self.task_model, self.task_base_url = model, base_url

    @property
    def failure_reason(self) -> Callable[[dict[str, Any]], Any] | None:
        """``failure_reason(result) -> reason or None``: what else the task counts as a failed evaluation."""
        return self._function("failure_reason")

    @property
    def evaluate_batch(self) -> Callable[[list[Any]], list[Any]] | None:
        """``evaluate_batch(genomes) -> [result, ...]``: several genomes in one call."""
        return self._function("evaluate_batch")

    @property
    def evaluate_array(self) -> Callable[[Any], Any] | None:
        """``evaluate_array(rows) -> (scores, descriptors | None)``: the array path."""
        return self._function("evaluate_array")

    @property
    def relative_fitness(self) -> Callable[[Any, Any], Any] | None:
        """``relative_fitness(reference, rows) -> values``: dynamic functions' comparisons."""
        return self._function("relative_fitness")

    @property
    def draw(self) -> Callable[[Any], None] | None:
        """``draw(ax)``: the task's world on a matplotlib axis."""
        return self._function("draw")

    def _function(self, name: str) -> TaskFunction | None:
        fn = self.functions.get(name)
        return None if fn is None else TaskFunction(self.ref, self.options, self.context, name, fn)

    def __reduce_ex__(self, protocol: Any) -> Any:
        if self.module is None:  # built by hand: pickled field by field
            return super().__reduce_ex__(protocol)
        return (_reload, (self.ref, self.options, self.context))


class TaskFunction:
    """A function of a loaded task that pickles as (task, name) and is looked up again when called
    after unpickling (task modules are not importable by name, so their functions are not picklable)."""

    def __init__(
        self,
        ref: str,
        options: dict[str, Any],
        context: dict[str, Any],
        name: str,
        fn: Callable[..., Any] | None = None,
    ):
        self.ref, self.options, self.context, self.name, self._fn = ref, options, context, name, fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fn is None:
            self._fn = load_task(self.ref, self.options, **self.context).functions[self.name]
        return self._fn(*args, **kwargs)

    def __reduce__(self) -> Any:
        return (TaskFunction, (self.ref, self.options, self.context, self.name))


def _reload(ref: str, options: dict[str, Any], context: dict[str, Any]) -> Task:
    return load_task(ref, options, **context)


def builtin_modules() -> dict[str, str]:
    """Built-in task names and their modules, found on disk without importing a task: one folder per
    genome kind (``sphere`` -> ``evoforge.tasks.vectors.sphere``); modules starting with ``_`` are helpers."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    found = {}
    for kind in pkgutil.iter_modules(package.__path__):
        if not kind.ispkg:
            continue
        for info in pkgutil.iter_modules([os.path.join(package.__path__[0], kind.name)]):
            if not info.name.startswith("_"):
                found[info.name.replace("_", "-")] = f"{BUILTIN_PACKAGE}.{kind.name}.{info.name}"
    return dict(sorted(found.items()))


def builtin_tasks() -> dict[str, str]:
    """Names and one-line descriptions of the built-in tasks."""
    names = {}
    for name, module_name in builtin_modules().items():
        module = importlib.import_module(module_name)
        try:
            value = getattr(module, "TASK", None)
        except TaskError:  # a task whose dependency is missing: listed all the same
            value = None
        text = value.description if isinstance(value, TaskValue) else ""
        names[name] = str(text or getattr(module, "DESCRIPTION", "")).strip()
    return names


def default_task_model() -> tuple[str, str | None]:
    """The task model when a run names none: ``EVOFORGE_TASK_MODEL`` / ``EVOFORGE_TASK_BASE_URL`` if
    set (a fallback for benchmark scripts), else ``embedded``."""
    spec = os.environ.get("EVOFORGE_TASK_MODEL") or "embedded"
    return spec, (os.environ.get("EVOFORGE_TASK_BASE_URL") or None) if spec.startswith("openai") else None


def load_task(
    ref: str, options: dict[str, Any] | None = None, *, task_model: Any = None, task_base_url: str | None = None
) -> Task:
    """Load a fresh instance of a task by built-in name, module path (``pkg.mod``) or file path
    (``tasks/foo.py``). ``options`` replace its typed value's option fields, or go to its ``configure()``
    (checked against its signature first). ``task_model``/``task_base_url``: the model a prompt task
    calls (default: :func:`default_task_model`)."""
    options = dict(options or {})
    module = _fresh_module(ref)
    configure = getattr(module, "configure", None)
    value = _typed_value(module)
    if callable(configure):
        options = _configure(ref, configure, options) if options else options
        value = _typed_value(module)  # configure() may rebind TASK
    elif value is not None:
        value, options = value.with_options(ref, options)
    elif options:
        raise TaskError(f"task {ref!r} takes no options (it defines no configure()), got {sorted(options)}")
    names = vars(module)
    if value is None:
        if "SEED" not in names:
            raise TaskError(f"task {ref!r} defines no SEED (the initial genome)")
        if not callable(names.get("evaluate")):
            raise TaskError(f"task {ref!r} defines no evaluate(genome) function")
        value = ModuleTask.from_names(names)
    parts = _parts(value, names)
    _check_parts(ref, parts)
    bounds = parts["descriptor_bounds"]
    task = Task(
        ref=ref,
        seed=parts["seed"],
        evaluate=parts["evaluate"],
        options=options,
        description=_description(parts["description"] or names.get("__doc__")),
        descriptor_bounds=[tuple(map(float, b)) for b in bounds] if bounds is not None else None,
        descriptor_names=_descriptor_names(ref, parts["descriptor_names"]),
        bounds=tuple(parts["bounds"]) if parts["bounds"] is not None else None,  # type: ignore[arg-type]
        failure_score=parts["failure_score"],
        declared_kind=parts["kind"] or "",
        data_files=_data_files(ref, parts["data_files"]),
        module=module,
        value=value,
        functions={name: parts[name] for name in FUNCTIONS if callable(parts[name])},
    )
    if task.uses_model:
        spec, url = (task_model, task_base_url) if task_model is not None else default_task_model()
        task.use_model(spec, url)
    elif task_model is not None:
        task.task_model, task.task_base_url = task_model, task_base_url  # kept for reloads; unused
    return task


def _typed_value(module: ModuleType) -> TaskValue | None:
    value = getattr(module, "TASK", None)  # a task missing a dependency raises TaskError here
    return value if isinstance(value, TaskValue) else None


def _configure(ref: str, configure: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """Call a module-style task's ``configure(**options)``; returns the options, converted."""
    options = check_options(ref, configure, options)
    try:
        configure(**options)
    except Exception as err:  # a bad value the signature could not catch (dim=0, an unknown dataset ...)
        shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
        detail = str(err) if isinstance(err, (TypeError, ValueError)) else f"{type(err).__name__}: {err}"
        raise TaskError(
            f"task {ref!r}: option{'s' if len(options) > 1 else ''} {shown} rejected: {' '.join(detail.split())}"
        ) from None
    return options


def _parts(value: TaskValue, names: dict[str, Any]) -> dict[str, Any]:
    """The task's parts: its value's, and over them the module-style names the file defines itself."""
    parts = {"seed": value.initial(), "evaluate": value.evaluate}
    parts.update({part: getattr(value, part) for part in PART_NAMES})
    if not isinstance(value, ModuleTask):
        own = {"seed": "SEED", "evaluate": "evaluate", **PART_NAMES}
        parts.update({part: names[name] for part, name in own.items() if name in names})
    return parts


def _check_parts(ref: str, parts: dict[str, Any]) -> None:
    """``evaluate`` must be a function, ``failure_score`` a finite number and ``failure_reason`` a function."""
    floor = parts["failure_score"]
    if floor is not None and (isinstance(floor, bool) or not isinstance(floor, (int, float)) or floor != floor):
        raise TaskError(f"task {ref!r}: FAILURE_SCORE must be a number (a score at or below it fails), got {floor!r}")
    if parts["failure_reason"] is not None and not callable(parts["failure_reason"]):
        raise TaskError(f"task {ref!r}: failure_reason must be a function failure_reason(result) -> reason or None")
    if not callable(parts["evaluate"]):
        raise TaskError(f"task {ref!r} defines no evaluate(genome) function")


def _data_files(ref: str, value: Any) -> tuple[str, ...]:
    """``DATA_FILES``: a list of paths relative to the task file's folder, each inside it; normalised
    (``./data/`` -> ``data``). Anything else is one TaskError naming the entry."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        shown = f"{value!r}"[:200]
        raise TaskError(f"task {ref!r}: DATA_FILES must be a list of paths relative to the task file, got {shown}")
    out: list[str] = []
    for entry in value:
        if not isinstance(entry, str) or not entry.strip() or "\0" in entry:
            raise TaskError(f"task {ref!r}: DATA_FILES entries must be non-empty paths (strings), got {entry!r}"[:300])
        norm = os.path.normpath(entry)
        if os.path.isabs(entry) or entry.startswith("~") or norm == ".." or norm.startswith(".." + os.sep):
            raise TaskError(
                f"task {ref!r}: DATA_FILES entry {entry!r} is outside the task file's folder; "
                "give paths relative to the task file, inside its folder (no absolute paths, no '..')"
            )
        if norm not in out:
            out.append(norm)
    return tuple(out)


def _descriptor_names(ref: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TaskError(f"task {ref!r}: DESCRIPTOR_NAMES must be a list of strings, got {value!r}"[:300])
    return [v[:80] for v in value]


def _description(text: Any) -> str:
    text = str(text or "").strip()
    return text if len(text) <= DESCRIPTION_LIMIT else text[:DESCRIPTION_LIMIT].rsplit(" ", 1)[0] + " ..."


def _fresh_module(ref: str) -> ModuleType:
    path = Path(ref)
    if ref.endswith(".py") or path.is_file():
        if not path.is_file():
            raise TaskError(f"task file not found: {path}")
        spec = importlib.util.spec_from_file_location(f"evoforge_task_{next(_LOADS)}_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise TaskError(f"cannot load task file {path}")
        return _execute(spec, f"task file {path} is broken")
    builtin = builtin_modules().get(ref.replace("_", "-"))
    for name in (builtin, moved_module(ref)):
        if name is None:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            continue
        except Exception as err:  # a broken parent package, an invalid name
            raise TaskError(f"task {ref!r} failed to import: {type(err).__name__}: {err}") from None
        if spec is not None and spec.loader is not None and spec.origin not in (None, "built-in", "frozen"):
            return _execute(spec, f"task {ref!r} failed to import")
    hint = did_you_mean(ref, builtin_modules()) or " (`evoforge list` shows the built-in tasks)"
    raise TaskError(f"unknown task {ref!r}: not a file, module or built-in task{hint}")


def _execute(spec: ModuleSpec, failure: str) -> ModuleType:
    """A new module object running the source of ``spec``, entered in ``sys.modules`` only while it runs
    (``dataclasses`` looks a class's module up by name there)."""
    module = importlib.util.module_from_spec(spec)
    with _EXECUTING:
        previous = sys.modules.get(spec.name)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        except BaseException as err:  # SyntaxError, ImportError, SystemExit ... all mean a broken task
            if isinstance(err, KeyboardInterrupt):
                raise
            detail = f"line {err.lineno}: {err.msg}" if isinstance(err, SyntaxError) else f"{type(err).__name__}: {err}"
            raise TaskError(f"{failure}: {detail}") from None
        finally:
            if previous is None:
                sys.modules.pop(spec.name, None)
            else:
                sys.modules[spec.name] = previous
    return module
