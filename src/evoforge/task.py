"""The task interface: a Python file or module with ``SEED`` and ``evaluate(genome) -> dict``.

Built-in tasks are named (``sphere``), user tasks are paths (``./my_task.py``). A task module may also
define ``configure(**options)`` (called with ``--set task.KEY=VALUE`` options before ``SEED`` is read),
``DESCRIPTION`` (one line for ``evoforge list``) and ``DESCRIPTOR_BOUNDS`` (a list of (low, high) pairs
for archives over behaviour descriptors).
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .errors import TaskError

BUILTIN_PACKAGE = "evoforge.tasks"


@dataclass
class Task:
    """A loaded task. ``ref`` and ``options`` are enough to load it again in another process."""

    ref: str
    seed: Any
    evaluate: Callable[[Any], Any]
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    descriptor_bounds: list[tuple[float, float]] | None = None
    module: ModuleType | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return Path(self.ref).stem if self.ref.endswith(".py") else self.ref.rsplit(".", 1)[-1]

    def attr(self, name: str, default: Any = None) -> Any:
        """An optional module-level attribute of the task (e.g. ``BOUNDS``)."""
        return getattr(self.module, name, default)


def builtin_tasks() -> dict[str, str]:
    """Names and one-line descriptions of the built-in tasks."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    names = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}")
        names[info.name.replace("_", "-")] = getattr(module, "DESCRIPTION", "").strip()
    return dict(sorted(names.items()))


def load_task(ref: str, options: dict[str, Any] | None = None) -> Task:
    """Load a task by built-in name, module path (``pkg.mod``) or file path (``tasks/foo.py``)."""
    options = dict(options or {})
    module = _import(ref)
    if options:
        configure = getattr(module, "configure", None)
        if configure is None:
            raise TaskError(f"task {ref!r} takes no options (it defines no configure()), got {sorted(options)}")
        try:
            inspect.signature(configure).bind(**options)
        except TypeError as err:
            raise TaskError(f"task {ref!r}: bad options {sorted(options)}: {err}") from None
        configure(**options)
    if not hasattr(module, "SEED"):
        raise TaskError(f"task {ref!r} defines no SEED (the initial genome)")
    evaluate = getattr(module, "evaluate", None)
    if not callable(evaluate):
        raise TaskError(f"task {ref!r} defines no evaluate(genome) function")
    bounds = getattr(module, "DESCRIPTOR_BOUNDS", None)
    return Task(
        ref=ref,
        seed=module.SEED,
        evaluate=evaluate,
        options=options,
        description=str(getattr(module, "DESCRIPTION", "")).strip(),
        descriptor_bounds=[tuple(map(float, b)) for b in bounds] if bounds is not None else None,
        module=module,
    )


def _import(ref: str) -> ModuleType:
    path = Path(ref)
    if ref.endswith(".py") or path.is_file():
        return _import_file(path)
    builtin = f"{BUILTIN_PACKAGE}.{ref.replace('-', '_')}"
    for name in (builtin, ref):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name is not None and not name.startswith(err.name):
                raise TaskError(f"task {ref!r} failed to import: {err}") from None
        except Exception as err:  # a broken task module
            raise TaskError(f"task {ref!r} failed to import: {type(err).__name__}: {err}") from None
    known = ", ".join(builtin_tasks())
    raise TaskError(f"unknown task {ref!r}: not a file, module or built-in task ({known})")


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise TaskError(f"task file not found: {path}")
    name = f"evoforge_user_task_{abs(hash(str(path.resolve())))}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TaskError(f"cannot load task file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as err:  # SyntaxError, ImportError, SystemExit ... all mean a broken file
        del sys.modules[name]
        detail = f"line {err.lineno}: {err.msg}" if isinstance(err, SyntaxError) else f"{type(err).__name__}: {err}"
        raise TaskError(f"task file {path} is broken: {detail}") from None
    return module
