"""Checks of run settings (type, range, finite) before anything runs or any run file exists.

The same rules apply to command-line flags, config-file values and :func:`evoforge.evolve` keywords,
keyed by the flags' names (``memory-mb``; ``memory_mb`` is accepted too). Each check returns the
problem as words, or None; callers turn it into one :class:`~evoforge.core.errors.ConfigError` line that
names the setting and the bad value.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MAX_INT = 2**63 - 1  # what a SQLite INTEGER and numpy's int64 hold
MAX_MEMORY_MB = 2**40  # the limit in bytes must fit an rlimit
MAX_TIMEOUT_S = 1e7  # select()/setitimer() refuse much larger timeouts
EXECUTORS = ("pool", "inprocess", "ray")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a float
        return False


def _whole(low: int, high: int = MAX_INT, note: str = "") -> tuple[str, Callable[[Any], bool]]:
    if high == MAX_INT:
        what = "a positive integer" if low == 1 else f"a whole number >= {low}"
    else:
        what = f"a whole number from {low} to {high}"
    return what + note, lambda v: _is_int(v) and low <= v <= high


def _number(low: float, *, strict: bool, high: float = math.inf, note: str = "") -> tuple[str, Callable[[Any], bool]]:
    what = f"a finite number {'>' if strict else '>='} {low:g}" + (f" and <= {high:g}" if high < math.inf else "")

    def ok(v: Any) -> bool:
        return _is_number(v) and (v > low if strict else v >= low) and v <= high

    return what + note, ok


def _text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "recipe": ("a recipe name", _text),
    "task": ("a task name or path", _text),
    "out": ("a file path", _text),
    "budget": _whole(1),
    "generations": _whole(1),
    "workers": _whole(1, 4096),
    "batch-size": _whole(1, 10**7),
    "seed": _whole(0),
    "timeout": _number(0, strict=True, high=MAX_TIMEOUT_S, note=" (seconds)"),
    "seconds": _number(0, strict=True),
    "memory-mb": _whole(0, MAX_MEMORY_MB, " (0: no limit)"),
    "checkpoint-every": _number(0, strict=False, note=" (seconds; 0: every batch)"),
    "max-calls": _whole(0),
    "max-tokens": _whole(0),
    "max-cost": _number(0, strict=False),
    "executor": (" or ".join(EXECUTORS), lambda v: v in EXECUTORS),
    "address": ("a Ray cluster address", _text),
    "model": ("a model spec", _text),
    "base-url": ("an http:// or https:// URL", lambda v: _text(v) and url_problem(v) is None),
    "task-model": ("a model spec", _text),
    "task-base-url": ("an http:// or https:// URL", lambda v: _text(v) and url_problem(v) is None),
    "sandbox": ("true or false", lambda v: isinstance(v, bool)),
    "concurrency": _whole(1, 1024, " (model requests in flight)"),
    "async": ("true or false", lambda v: isinstance(v, bool)),
    "asynchronous": ("true or false", lambda v: isinstance(v, bool)),  # the Python keyword of --async
    "cache": ("true or false", lambda v: isinstance(v, bool)),
}


def value_problem(key: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``key`` setting, as the words after its name
    (``"must be a whole number >= 0, got -5"``), or None. ``None`` means "the default" and passes;
    unknown keys pass (config.py refuses those)."""
    flag = key.replace("_", "-")
    rule = RULES.get(flag)
    if value is None or rule is None:
        return None
    what, ok = rule
    if ok(value):
        return None
    if _is_int(value) and value > MAX_INT:
        return f"must be at most {MAX_INT}, got {_shown(value)}"
    if flag in ("base-url", "task-base-url") and _text(value):
        return f"{url_problem(value)}, got {_shown(value)}"
    return f"must be {what}, got {_shown(value)}"


def url_problem(url: str) -> str | None:
    """What is wrong with an endpoint URL (scheme, host, port), or None."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as err:
        return f"is not a valid URL ({err})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host name"
    return None


def out_problem(out: str | Path, overwrite: bool) -> str | None:
    """Why a run file cannot be created at ``out`` (missing parent folders are created), or None.
    The nearest existing folder is tried by creating (and removing) an empty file in it: permission
    bits do not tell whether root can create a file there (``/proc``, a read-only mount)."""
    try:
        return _out_problem(Path(out), overwrite)
    except OSError as err:  # a name too long, a loop of links, an unreadable folder on the way
        return f"--out {out}: {err.strerror or err}"


def _out_problem(path: Path, overwrite: bool) -> str | None:
    if path.is_dir():
        return f"--out {path} is a folder; give a file path such as {path / 'run.db'}"
    if path.exists() and not path.is_file():
        return f"--out {path} is not a regular file"
    if path.exists() and not overwrite:
        return f"{path} already exists: resume it with `evoforge resume {path}` or choose another --out"
    parent, missing = path.parent, [path.name]
    while not parent.exists() and parent != parent.parent:
        parent, missing = parent.parent, [parent.name, *missing]
    if not parent.is_dir():
        return f"--out {path}: {parent} is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--out {path}: cannot write in {parent}"
    try:
        longest = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        longest = 255
    if any(len(os.fsencode(name)) > longest for name in missing):
        return f"--out {path}: a name in it is longer than {longest} bytes"
    return _creation_problem(path, parent)


def _creation_problem(path: Path, parent: Path) -> str | None:
    """Why no file can be created in ``parent`` (tried with an empty file, removed at once), or None."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".evoforge-probe-", dir=parent)
    except OSError as err:
        return f"--out {path}: cannot create a file in {parent} ({err.strerror or err})"
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
