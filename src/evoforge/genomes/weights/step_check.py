"""Reasoning steps of a solution and their arithmetic checks.

A solution such as ``" 2*3=6, 7+6=13, 13-4=9. Answer: 9"`` splits into steps after each ``,`` or ``.``
followed by a space (:func:`split_steps`; joining the steps gives the text back). A step's arithmetic
is checked by computing it (:func:`check_step`): every pair of neighbouring ``=``-separated parts that
are both integer expressions over ``+ - *`` must have the same value (``"y=4*3=12"``: ``4*3 == 12``).
The model's text is parsed into a syntax tree and only integer constants and ``+ - *`` are computed:
nothing it writes is executed.
"""

from __future__ import annotations

import ast
import itertools
import re

_BOUNDARY = re.compile(r"(?<=[,.])(?=\s)")
_ARITH = re.compile(r"^[\d\s+\-*()]+$")
_MAX_LEN = 60  # longer "expressions" are not checked
_MAX_ABS = 10**12
_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}


def split_steps(text: str) -> list[str]:
    """The steps of a (partial) solution, each with its trailing delimiter; ``"".join`` gives ``text``."""
    return [s for s in _BOUNDARY.split(text) if s]


def value(expr: str) -> int | None:
    """The value of an integer expression over ``+ - *`` and parentheses, or None when ``expr`` is not
    one (or its numbers run beyond 10**12)."""
    expr = expr.strip()
    if not expr or len(expr) > _MAX_LEN or not _ARITH.match(expr):
        return None
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return None
    return _compute(tree.body)


def _compute(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _compute(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b = _compute(node.left), _compute(node.right)
        if a is None or b is None:
            return None
        v = _OPS[type(node.op)](a, b)
        return v if abs(v) <= _MAX_ABS else None
    return None


def check_step(step: str) -> bool | None:
    """True when the step's arithmetic is right, False when some equality in it is wrong, None when it
    has no equality between two integer expressions (nothing to check)."""
    parts = [value(p) for p in step.strip().rstrip(",.").split("=")]
    checked = False
    for a, b in itertools.pairwise(parts):
        if a is not None and b is not None:
            if a != b:
                return False
            checked = True
    return True if checked else None
