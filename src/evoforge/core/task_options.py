"""Checking task options against ``configure()``'s signature before it runs.

An option's type comes from the parameter's annotation (``int``, ``float``, ``bool``, ``str`` or one of
them ``| None``), else from its default's type. Values are converted where nothing is lost (``"3"`` or
``3.0`` for an int, ``2`` for a float, ``"true"`` for a bool); anything else is a one-line TaskError
naming the option and value.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from .errors import TaskError
from .params import parse

SIMPLE = (bool, int, float, str)


def check_options(ref: str, configure: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """``options`` converted to the types ``configure`` declares; unknown names and bad values raise."""
    try:
        signature = inspect.signature(configure)
    except (TypeError, ValueError):
        return dict(options)
    params = signature.parameters
    named = [p for p in params.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    any_name = any(p.kind == p.VAR_KEYWORD for p in params.values())
    try:
        hints = typing.get_type_hints(configure)
    except Exception:  # unresolvable annotations: fall back to the defaults' types
        hints = {}
    out: dict[str, Any] = {}
    for key, value in options.items():
        param = params.get(key)
        if param is None or param not in named:
            if any_name:
                out[key] = value
                continue
            known = ", ".join(p.name for p in named) or "none"
            raise TaskError(f"task {ref!r} has no option {key!r} (its options: {known})")
        out[key] = _convert(ref, key, value, *_expected(hints.get(key, param.annotation), param.default))
    missing = [p.name for p in named if p.default is p.empty and p.name not in out]
    if missing:
        raise TaskError(
            f"task {ref!r} needs option{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(--set task.{missing[0]}=VALUE)"
        )
    return out


def convert_option(ref: str, key: str, value: Any, annotation: Any, default: Any) -> Any:
    """One option's ``value`` as its declared type (``annotation``, else its default's type)."""
    return _convert(ref, key, value, *_expected(annotation, default))


def _expected(annotation: Any, default: Any) -> tuple[type | None, bool]:
    """(the simple type an option must have or None for any, whether None is allowed)."""
    if annotation in SIMPLE:
        return annotation, default is None
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        simple = [a for a in args if a in SIMPLE]
        if len(simple) == 1 and len(args) == len(simple) + (type(None) in args):
            return simple[0], type(None) in args or default is None
        return None, True
    if default is not inspect.Parameter.empty and default is not None and type(default) in SIMPLE:
        return type(default), False
    return None, True


def _convert(ref: str, key: str, value: Any, kind: type | None, nullable: bool) -> Any:
    if kind is None or (value is None and nullable):
        return value
    converted = _to(kind, value)
    if converted is None:
        noun = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}[kind]
        raise TaskError(f"task {ref!r}: option {key}={value!r} must be {noun}")
    return converted


def _to(kind: type, value: Any) -> Any:
    """``value`` as ``kind`` when that loses nothing (:func:`evoforge.core.params.parse`), else None; a
    number stands for its text where a string is wanted (``--set task.target=5``)."""
    if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    try:
        return parse(value, kind)
    except (TypeError, ValueError, OverflowError):
        return None
