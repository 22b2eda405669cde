"""Model-written reward functions run in the sandbox (for ``autotelic``): every function on every pair
of phone states in one sandboxed process (:func:`evoforge.isolation.program_sandbox.run_program`: no network, no
host files, time and memory limits), returning a table of booleans (``None`` where a function failed).
"""

from __future__ import annotations

from typing import Any

from evoforge.isolation.program_sandbox import run_program

HARNESS = """
import copy


def run(program, inputs):
    table = []
    for code in inputs["codes"]:
        space = {}
        try:
            exec(compile(code, "<reward>", "exec"), space)
            row = [bool(space["reward"](copy.deepcopy(b), copy.deepcopy(a))) for b, a in inputs["pairs"]]
        except Exception:
            row = None
        table.append(row)
    return table
"""


def rewards(codes: list[str], pairs: list[tuple[dict, dict]], timeout: float = 10.0) -> list[list[bool] | None]:
    """``table[i][j]``: reward function ``i`` on state pair ``j`` (``None``: function ``i`` failed).
    All in one sandboxed process; if that process fails (a function loops), each runs alone."""
    if not codes:
        return []
    inputs = {"codes": codes, "pairs": [[b, a] for b, a in pairs]}
    result = run_program("", HARNESS, inputs, timeout=timeout, preload=())
    if result.ok and isinstance(result.value, list) and len(result.value) == len(codes):
        return [_row(r, len(pairs)) for r in result.value]
    if len(codes) == 1:
        return [None]
    return [rewards([c], pairs, timeout)[0] for c in codes]


def _row(value: Any, n: int) -> list[bool] | None:
    return [bool(v) for v in value] if isinstance(value, list) and len(value) == n else None
