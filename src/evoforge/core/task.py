"""The task interface: a Python file or module with ``SEED`` and ``evaluate(genome) -> dict``.

Built-in tasks are named (``sphere``), user tasks are paths (``./my_task.py``). A task module may also
define ``configure(**options)`` (called with ``--set task.KEY=VALUE`` options before ``SEED`` is read),
``DESCRIPTION`` (shown to models and by ``evoforge list``; the module docstring stands in for it),
``BOUNDS`` and ``DESCRIPTOR_BOUNDS`` (a list of (low, high) pairs for archives over behaviour
descriptors; ``DESCRIPTOR_NAMES`` names them on plots), and what counts as a failed evaluation
besides raising: ``FAILURE_SCORE`` (a score at or below it, say a sentinel -1000 for a broken program,
fails with a reason instead of ranking last among the successes) or ``failure_reason(result) -> str |
None``. Instead of ``SEED`` and ``evaluate``
it may define ``TASK``, a typed task value
(:class:`~evoforge.genomes.vectors.task.VectorTask`, :class:`~evoforge.genomes.programs.task.ProgramTask`,
:class:`~evoforge.genomes.prompts.prompt_task.PromptTask`) that supplies them; names the module defines itself win.

Tasks are values: every :func:`load_task` executes the module's source into a new module object, so
``configure()`` changes only that instance and options never leak from one load into the next.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import TaskError
from .moved import moved_module
from .task_options import check_options
from .task_value import TaskValue

BUILTIN_PACKAGE = "evoforge.tasks"
DESCRIPTION_LIMIT = 800  # characters of a docstring used as the description
_LOADS = itertools.count()


@dataclass
class Task:
    """A loaded task. ``ref``, ``options`` and ``context`` are enough to load it again in another process."""

    ref: str
    seed: Any
    evaluate: Callable[[Any], Any]
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    descriptor_bounds: list[tuple[float, float]] | None = None
    descriptor_names: list[str] | None = None  # axis names of the archive's views (DESCRIPTOR_NAMES)
    module: ModuleType | None = field(default=None, repr=False)
    value: Any = field(default=None, repr=False)  # the module's typed TASK value, if any
    task_model: Any = None  # the model a prompt task calls (spec or Model)
    task_base_url: str | None = None

    @property
    def name(self) -> str:
        return Path(self.ref).stem if self.ref.endswith(".py") else self.ref.rsplit(".", 1)[-1]

    @property
    def context(self) -> dict[str, Any]:
        """What besides ``ref`` and ``options`` a reload needs: the task model, as plain strings."""
        model = self.task_model if isinstance(self.task_model, str) else None
        return {"task_model": model, "task_base_url": self.task_base_url}

    @property
    def uses_model(self) -> bool:
        """Whether the task calls a model itself (a prompt task)."""
        return callable(getattr(self.value, "use_model", None))

    def use_model(self, model: Any, base_url: str | None = None) -> None:
        """Make this task instance call ``model`` (a spec such as ``embedded`` or ``openai:NAME``, or a
        model object, e.g. a scripted one in tests). Only prompt tasks call a model."""
        if not self.uses_model:
            raise TaskError(f"task {self.ref!r} calls no model; --task-model applies to prompt tasks")
        self.value.use_model(model, base_url)
        self.task_model, self.task_base_url = model, base_url

    def attr(self, name: str, default: Any = None) -> Any:
        """An optional attribute of the task (e.g. ``BOUNDS``): the module's own, else its TASK value's.
        Functions come wrapped so that a recipe may keep them in its pickled state."""
        if self.module is not None and hasattr(self.module, name):
            found = getattr(self.module, name)
        else:
            found = _typed_attrs(self.value).get(name, default)
        if inspect.isfunction(found) or inspect.ismethod(found):
            return TaskFunction(self.ref, self.options, self.context, name, found)
        return found

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
            self._fn = load_task(self.ref, self.options, **self.context).attr(self.name)._fn
        return self._fn(*args, **kwargs)

    def __reduce__(self) -> Any:
        return (TaskFunction, (self.ref, self.options, self.context, self.name))


def _reload(ref: str, options: dict[str, Any], context: dict[str, Any]) -> Task:
    return load_task(ref, options, **context)


def _typed_attrs(value: Any) -> dict[str, Any]:
    if isinstance(value, TaskValue):
        names = {"SEED": value.initial(), "evaluate": value.evaluate, "TASK": value, "DESCRIPTION": value.description}
        return {**names, "GENOME": value.kind} if value.kind else names
    attrs = getattr(value, "module_attrs", None)
    return attrs() if callable(attrs) else {}


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
        names[name] = getattr(module, "DESCRIPTION", "").strip()
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
    (``tasks/foo.py``). ``options`` go to its ``configure()``, checked against its signature first.
    ``task_model``/``task_base_url``: the model a prompt task calls (default: :func:`default_task_model`)."""
    options = dict(options or {})
    module = _fresh_module(ref)
    value = getattr(module, "TASK", None)
    if isinstance(value, TaskValue):
        value, options = value.with_options(ref, options)
    elif options:
        configure = getattr(module, "configure", None)
        if not callable(configure):
            raise TaskError(f"task {ref!r} takes no options (it defines no configure()), got {sorted(options)}")
        options = check_options(ref, configure, options)
        try:
            configure(**options)
        except Exception as err:  # a bad value the signature could not catch (dim=0, an unknown dataset ...)
            shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
            detail = str(err) if isinstance(err, (TypeError, ValueError)) else f"{type(err).__name__}: {err}"
            raise TaskError(
                f"task {ref!r}: option{'s' if len(options) > 1 else ''} {shown} rejected: {' '.join(detail.split())}"
            ) from None
    names = {**_typed_attrs(value), **vars(module)}
    if "SEED" not in names:
        raise TaskError(f"task {ref!r} defines no SEED (the initial genome)")
    evaluate = names.get("evaluate")
    if not callable(evaluate):
        raise TaskError(f"task {ref!r} defines no evaluate(genome) function")
    _check_failure_names(ref, names)
    bounds = names.get("DESCRIPTOR_BOUNDS")
    task = Task(
        ref=ref,
        seed=names["SEED"],
        evaluate=evaluate,
        options=options,
        description=_description(names),
        module=module,
        value=value,
        descriptor_bounds=[tuple(map(float, b)) for b in bounds] if bounds is not None else None,
        descriptor_names=_descriptor_names(ref, names.get("DESCRIPTOR_NAMES")),
    )
    if task.uses_model:
        spec, url = (task_model, task_base_url) if task_model is not None else default_task_model()
        task.use_model(spec, url)
    elif task_model is not None:
        task.task_model, task.task_base_url = task_model, task_base_url  # kept for reloads; unused
    return task


def _check_failure_names(ref: str, names: dict[str, Any]) -> None:
    """``FAILURE_SCORE`` must be a finite number and ``failure_reason`` a function, if defined."""
    floor = names.get("FAILURE_SCORE")
    if floor is not None and (isinstance(floor, bool) or not isinstance(floor, (int, float)) or floor != floor):
        raise TaskError(f"task {ref!r}: FAILURE_SCORE must be a number (a score at or below it fails), got {floor!r}")
    if names.get("failure_reason") is not None and not callable(names["failure_reason"]):
        raise TaskError(f"task {ref!r}: failure_reason must be a function failure_reason(result) -> reason or None")


def _descriptor_names(ref: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TaskError(f"task {ref!r}: DESCRIPTOR_NAMES must be a list of strings, got {value!r}"[:300])
    return [v[:80] for v in value]


def _description(names: dict[str, Any]) -> str:
    text = str(names.get("DESCRIPTION") or names.get("__doc__") or "").strip()
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
    known = ", ".join(builtin_tasks())
    raise TaskError(f"unknown task {ref!r}: not a file, module or built-in task ({known})")


def _execute(spec: ModuleSpec, failure: str) -> ModuleType:
    """A new module object running the source of ``spec`` (never entered in ``sys.modules``)."""
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except BaseException as err:  # SyntaxError, ImportError, SystemExit ... all mean a broken task
        if isinstance(err, KeyboardInterrupt):
            raise
        detail = f"line {err.lineno}: {err.msg}" if isinstance(err, SyntaxError) else f"{type(err).__name__}: {err}"
        raise TaskError(f"{failure}: {detail}") from None
    return module
