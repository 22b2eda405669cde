"""The kind of genome a task evolves, so that a recipe can refuse a task it cannot search.

A typed task value states its kind with its class (``kind = "vector"``, one of :data:`KINDS`), a
module-style task with ``GENOME = "vector"``; otherwise it is inferred from the initial genome: a list
of 0/1 integers or booleans is ``bits``, a list of other numbers ``vector``, a nested list with
operator names ``tree``, a dict (an instruction with demos) ``prompt``, a string holding Python
functions ``program`` and other text ``solution``. Checkpoints (``weights``) and
strings that are trees can only be declared; so can agent designs (``agent``: code plus text parts),
records of multi-agent play (``game``: what the players said, scored again by the task), records of a
primordial soup's dynamics (``soup``: what was measured of it, scored again by the task), records of a
generative model's samples (``samples``: points one generation produced, scored against real data), and
records of three more artificial-life systems, each scored again by its task: a generation of Boolean
networks evolved under noise (``boolnet``: its fittest network), a population of GARD protocells
(``protocell``: compositions and the Price equation's terms) and a neural-network quine (``quine``: its
weights).
"""

from __future__ import annotations

import ast
import numbers
from typing import Any

from .errors import TaskError

KINDS = (
    "vector", "bits", "tree", "program", "prompt", "solution", "weights", "agent", "game", "soup", "samples",
    "boolnet", "protocell", "quine",
)  # fmt: skip
UNKNOWN = "unknown"


def genome_kind(task: Any) -> str:
    """The task's genome kind (a :class:`~evoforge.core.task.Task`): the kind it declares, else inferred
    from its seed."""
    declared = task.declared_kind
    if declared:
        if declared not in KINDS:
            raise TaskError(f"task {task.name!r}: GENOME must be one of {', '.join(KINDS)}, not {declared!r}")
        return declared
    return infer_kind(task.seed)


def infer_kind(seed: Any) -> str:
    """The genome kind a SEED looks like (:data:`UNKNOWN` when it looks like none)."""
    if isinstance(seed, dict):
        if "instruction" in seed:
            return "prompt"
        return "agent" if isinstance(seed.get("code"), str) else UNKNOWN
    if isinstance(seed, str):
        return "program" if _defines_functions(seed) else "solution"
    if hasattr(seed, "tolist"):  # a numpy array
        seed = seed.tolist()
    if not isinstance(seed, (list, tuple)) or not seed:
        return UNKNOWN
    if all(isinstance(x, bool) or (isinstance(x, numbers.Integral) and x in (0, 1)) for x in seed):
        return "bits"
    if all(isinstance(x, numbers.Real) for x in seed):
        return "vector"
    if isinstance(seed[0], str):
        return "tree"
    return UNKNOWN


def describe_kind(task: Any, kind: str) -> str:
    """``a vector genome (inferred from SEED; ...)``: the kind and where it came from, for messages."""
    if task.declared_kind:
        return f"a {kind} genome (as it declares)"
    what = "a genome of no known kind" if kind == UNKNOWN else f"a {kind} genome"
    return f"{what} (inferred from its seed; a task declares one with its value's kind or GENOME = {'|'.join(KINDS)})"


def _defines_functions(text: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(tree))
