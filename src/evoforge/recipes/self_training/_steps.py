"""Steps of a worked solution and their arithmetic, checked by execution.

A solution such as ``" 2*3=6, 7+6=13, 13-4=9. Answer: 9"`` is a chain of steps separated by ``", "``;
each step may state equations ``LEFT=RIGHT`` over integers and ``+ - *``. :func:`check` computes each
left side from its parsed syntax tree (:mod:`evoforge.genomes.weights.step_check`, shared with the step-level
tree search; model text is never executed) and says which equations hold.
This is the symbolic environment of the process recipes: execution feedback for ENVISIONS, step
correctness monitors for Process-based Self-Rewarding.
"""

from __future__ import annotations

import re

from evoforge.genomes.weights.step_check import value

EQUATION = re.compile(r"(?<![\w.])(-?\d{1,9}(?:\s*[-+*]\s*\d{1,9}){1,6})\s*=\s*(-?\d{1,12})(?![\d*+])")
STEP_SEP = ", "


def stripped_steps(text: str) -> list[str]:
    """The steps of a completion, stripped (the text between ``", "`` separators; empty ones dropped); unlike
    :func:`evoforge.genomes.weights.step_check.split_steps`, joining them does not give the text back."""
    return [s.strip() for s in text.split(STEP_SEP) if s.strip()]


def equations(text: str) -> list[tuple[str, int]]:
    """The equations ``(left side, claimed value)`` stated in ``text``."""
    return [(m.group(1).replace(" ", ""), int(m.group(2))) for m in EQUATION.finditer(text)]


def evaluate(lefts: list[str]) -> list[int | None]:
    """The values of integer-arithmetic expressions (None: not one), computed from their parsed syntax
    trees by :func:`evoforge.genomes.weights.step_check.value`: nothing the model wrote is executed."""
    return [value(e) for e in lefts]


def check(texts: list[str]) -> list[list[tuple[str, int, int | None]]]:
    """For each text, its equations as ``(left, claimed, computed)`` (computed None: not computable)."""
    eqs = [equations(t) for t in texts]
    values = iter(evaluate([left for es in eqs for left, _ in es]))
    return [[(left, claimed, next(values)) for left, claimed in es] for es in eqs]


def holds(checked: list[tuple[str, int, int | None]]) -> bool | None:
    """Whether every equation holds (None when there is none to check)."""
    return all(c == v for _, c, v in checked) if checked else None


def feedback(checked: list[tuple[str, int, int | None]]) -> str:
    """Execution feedback on a solution's equations, one line."""
    wrong = [f"{left} is {v}, not {c}" for left, c, v in checked if v is not None and v != c]
    if wrong:
        return "Execution: " + "; ".join(wrong[:3]) + "."
    return "Execution: every step computes correctly." if checked else "Execution: no step to check."
