"""Declared recipe fields. ``param`` is a parameter: a dataclass field with a type (its annotation), an
allowed range or set of values and a one-line help. ``state`` is what a recipe builds while it runs:
not settable, not shown, but declared so that it exists from construction on and survives pickling.

A value that does not fit its declaration becomes one :class:`ConfigError` line that names the
parameter, the value and what is allowed (``recipe 'ga': population must be an int >= 1, got -3``).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError

PARAM, STATE = "evoforge.param", "evoforge.state"
KINDS: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str}
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")  # booleans as text


@dataclass(frozen=True)
class Spec:
    """What a parameter allows. ``low`` / ``high`` are inclusive unless ``low_open`` / ``high_open``;
    ``choices`` are the allowed strings; ``items``: a comma-separated list of these (``choices`` then
    names whole values allowed besides such lists, e.g. ``all``). Floats must always be finite."""

    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    items: tuple[str, ...] | None = None

    def range_text(self) -> str:
        """The allowed values in a few characters: ``>= 1``, ``(0, 1]``, ``grid | cvt``, or ``""``."""
        if self.items is not None:
            alts = " | ".join(self.choices or ())
            return (alts + " or " if alts else "") + "comma-separated: " + ", ".join(self.items)
        if self.choices is not None:
            return " | ".join(self.choices)
        if self.low is not None and self.high is not None:
            return f"{'(' if self.low_open else '['}{_num(self.low)}, {_num(self.high)}{')' if self.high_open else ']'}"
        if self.low is not None:
            return f"{'>' if self.low_open else '>='} {_num(self.low)}"
        if self.high is not None:
            return f"{'<' if self.high_open else '<='} {_num(self.high)}"
        return ""

    def allowed(self, kind: type) -> str:
        article = "an" if kind is int else "a"
        name = {float: "finite float", bool: "boolean", str: "string"}.get(kind, kind.__name__)
        if self.choices is not None and self.items is None:
            return "one of " + ", ".join(self.choices)
        text = self.range_text()
        if text[:1] in "[(" and text:
            text = "in " + text
        return f"{article} {name}" + (f" {text}" if text and self.items is None else f" ({text})" if text else "")

    def fits(self, value: Any, kind: type) -> bool:
        """Whether ``value`` (already of the right Python type) is allowed."""
        if kind is float and not math.isfinite(value):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return False
        if self.items is not None:
            if self.choices is not None and value in self.choices:
                return True
            parts = [p.strip() for p in value.split(",") if p.strip()]
            return bool(parts) and all(p in self.items for p in parts)
        return self.choices is None or value in self.choices


def param(
    default: Any,
    *,
    help: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    choices: tuple[str, ...] | list[str] | None = None,
    items: tuple[str, ...] | list[str] | None = None,
) -> Any:
    """A recipe parameter with its default, help line and allowed values (a dataclass field)."""
    spec = Spec(
        help,
        low,
        high,
        low_open,
        high_open,
        tuple(choices) if choices is not None else None,
        tuple(items) if items is not None else None,
    )
    return dataclasses.field(default=default, metadata={PARAM: spec})


def state(default: Any = None, *, factory: Any = None) -> Any:
    """A piece of the recipe's state: not a parameter (not settable, not in repr), present from
    construction on (``default``, or a fresh ``factory()``), pickled with the recipe."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, init=False, repr=False, compare=False, metadata={STATE: True})
    return dataclasses.field(default=default, init=False, repr=False, compare=False, metadata={STATE: True})


@dataclass(frozen=True)
class Declared:
    """One declared parameter of a recipe class."""

    name: str
    kind: type
    default: Any
    spec: Spec


def declared(cls: type) -> dict[str, Declared]:
    """The parameters ``cls`` declares with :func:`param`, in declaration order."""
    out = {}
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(PARAM)
        if spec is None or not f.init:
            continue
        kind = KINDS.get(f.type if isinstance(f.type, str) else getattr(f.type, "__name__", ""))
        if kind is None:
            raise TypeError(f"{cls.__name__}.{f.name}: a param must be annotated int, float, bool or str")
        out[f.name] = Declared(f.name, kind, f.default, spec)
    return out


def convert(value: Any, kind: type) -> Any:
    """``value`` as ``kind`` when it is one already (ints count as floats); raises ValueError if not."""
    if kind is bool:
        if isinstance(value, (bool, _np_bool())):
            return bool(value)
    elif kind is int:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
    elif kind is float:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return float(value)
    elif isinstance(value, str):
        return value
    raise ValueError(value)


def parse(value: Any, kind: type) -> Any:
    """A ``--set`` string or a config-file value as ``kind`` (``"3"``, ``3.0`` -> 3, ``"yes"`` -> True);
    ValueError if not. The one text-to-value reading of recipe parameters, task options and config files."""
    if isinstance(value, str) and kind is not str:
        text = value.strip()
        if kind is bool:
            if text.lower() in TRUE_WORDS:
                return True
            if text.lower() in FALSE_WORDS:
                return False
            raise ValueError(value)
        return kind(text)
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind is bool and isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    return convert(value, kind)


def checked(recipe: str, p: Declared, value: Any, *, from_text: bool = False) -> Any:
    """``value`` for parameter ``p`` of ``recipe``, typed; ConfigError (one line) when it does not fit."""
    try:
        typed = parse(value, p.kind) if from_text else convert(value, p.kind)
    except (TypeError, ValueError, OverflowError):
        typed = None
    if typed is None or not p.spec.fits(typed, p.kind):
        raise ConfigError(f"recipe {recipe!r}: {p.name} must be {p.spec.allowed(p.kind)}, got {value!r}")
    return typed


def _num(x: float) -> str:
    return f"{x:g}"


def _np_bool() -> type:
    import numpy as np

    return np.bool_
