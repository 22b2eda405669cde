"""Numeric constants of a program: find them and perturb a few, in place in the text (no model call).

A small model is good at adding a term with a constant (``- 5.0 * (gap < 10)``) and bad at choosing the
constant; tuning the numbers the model wrote is cheap (one evaluation, no call) and is where many of
the improvements on a task like bin packing come from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np

from .blocks import blocks, replace_block


@dataclass
class Constant:
    line: int  # 1-based, within the text searched
    col: int
    end_col: int
    value: float
    is_int: bool


def constants(source: str) -> list[Constant]:
    """Numeric literals of ``source`` (not bools, not docstrings, not slice bounds or subscripts,
    not exponents of 2 or 0/1 used as array indices); empty when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            skip.update(id(n) for n in ast.walk(node.slice))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("reshape", "zeros", "ones", "full", "arange", "range", "shape", "astype", "round")
        ):
            for arg in node.args:
                skip.update(id(n) for n in ast.walk(arg))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("range", "round", "len"):
            for arg in node.args:
                skip.update(id(n) for n in ast.walk(arg))
    out = []
    negated = {}
    for node in ast.walk(tree):  # -5 is one constant, not minus the constant 5
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            negated[id(node.operand)] = node
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and type(node.value) in (int, float)
            and id(node) not in skip
            and node.end_lineno == node.lineno
            and node.end_col_offset is not None
        ):
            span = negated.get(id(node), node)
            sign = -1.0 if span is not node else 1.0
            if span.lineno != node.lineno or span.end_col_offset is None:
                continue
            out.append(
                Constant(
                    node.lineno, span.col_offset, span.end_col_offset, sign * float(node.value), type(node.value) is int
                )
            )
    out.sort(key=lambda c: (c.line, c.col))
    return out


def _new_value(c: Constant, rng: np.random.Generator, scale: float) -> str:
    if c.value == 0:
        v = float(rng.normal(0, 1.0)) * scale * 2
    else:
        v = c.value * float(np.exp(rng.normal(0, scale)))
        if not c.is_int and rng.random() < 0.1:  # a weight may change sign; a threshold does not
            v = -v
    if c.is_int:
        iv = round(v)
        if iv == int(c.value):
            iv += 1 if rng.random() < 0.5 else -1
        return str(iv)
    return f"{v:.4g}" if abs(v) >= 1e-3 else f"{v:.3e}"


def perturb_text(source: str, rng: np.random.Generator, k: int = 1, scale: float = 0.4) -> str | None:
    """``source`` with ``k`` of its numeric constants changed (multiplied by exp(N(0, scale)), ints
    rounded and always moved); None when it has none."""
    found = constants(source)
    if not found:
        return None
    picks = sorted(
        rng.choice(len(found), size=min(k, len(found)), replace=False).tolist(),
        key=lambda i: (found[i].line, found[i].col),
        reverse=True,
    )
    lines = source.split("\n")
    for i in picks:  # right to left within a line keeps the offsets of the others valid
        c = found[i]
        text = lines[c.line - 1].encode()
        new = _new_value(c, rng, scale).encode()
        if new.startswith(b"-") and text[: c.col].rstrip()[-1:] in (b"-", b"+", b"*", b"/", b"%", b"@", b"*"):
            new = b"(" + new + b")"
        lines[c.line - 1] = (text[: c.col] + new + text[c.end_col :]).decode()
    return "\n".join(lines)


def perturb_constants(program: str, rng: np.random.Generator, k: int = 1, scale: float = 0.4) -> str | None:
    """``program`` with ``k`` numeric constants of its evolve blocks perturbed; None when they have none."""
    found = blocks(program)
    usable = [b for b in found if constants(b.text)]
    if not usable:
        return None
    b = usable[int(rng.integers(len(usable)))]
    new = perturb_text(b.text, rng, k, scale)
    if new is None or new == b.text:
        return None
    return replace_block(program, b.index, new)
