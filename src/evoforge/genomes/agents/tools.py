"""The tools an agent may use besides the model: a calculator, a Python runner and retrieval over a
local corpus. Standard library only: this file is also loaded by the agent driver inside the sandbox,
where evoforge itself is not importable.

Retrieval is a small hand-written Okapi BM25 (about 30 lines) rather than a library: it must run in
the sandbox with the standard library alone, and task corpora are a few hundred short documents.
"""

from __future__ import annotations

import ast
import contextlib
import io
import math
import operator
import re
import signal
from collections import Counter
from typing import Any

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS = {
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
    "floor": math.floor,
    "ceil": math.ceil,
}
MAX_MAGNITUDE = 1e100


class ToolError(ValueError):
    """A tool was used wrongly (bad expression, timeout); the message says how."""


def calculate(expression: str) -> int | float:
    """The value of an arithmetic ``expression`` (numbers, + - * / // % **, parentheses, abs, round,
    min, max, sqrt, floor, ceil), evaluated from its syntax tree: nothing else can run."""
    if not isinstance(expression, str) or len(expression) > 500:
        raise ToolError("calculator: give an expression of at most 500 characters")
    text = expression.replace("^", "**").replace("\u00d7", "*").replace("÷", "/").replace(",", "")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ToolError(f"calculator: cannot read {expression!r}") from None
    value = _value(tree.body)
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def _value(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > 100 or abs(left) > 1e6):
            raise ToolError("calculator: power too large")
        try:
            out = _BINARY[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError, ValueError) as err:
            raise ToolError(f"calculator: {err}") from None
        if isinstance(out, complex) or abs(out) > MAX_MAGNITUDE:
            raise ToolError("calculator: result out of range")
        return out
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
        and len(node.args) <= 4
    ):
        try:
            return _FUNCTIONS[node.func.id](*[_value(a) for a in node.args])
        except (TypeError, ValueError) as err:
            raise ToolError(f"calculator: {err}") from None
    raise ToolError(f"calculator: only numbers and arithmetic are allowed, not {type(node).__name__}")


_WORD = re.compile(r"[a-z0-9]+")


def final(text: str) -> str:
    """The answer after the last 'Answer:' (else the last line): a helper every agent may call (the
    hand-designed agents define it; meta agents reuse it without its definition)."""
    text = str(text)
    i = text.rfind("Answer:")
    tail = text[i + 7 :] if i >= 0 else text.strip().splitlines()[-1] if text.strip() else ""
    return tail.strip().strip(".").strip()


def words(text: str) -> list[str]:
    return _WORD.findall(str(text).lower())


class BM25:
    """Okapi BM25 over a list of documents (k1 = 1.5, b = 0.75)."""

    def __init__(self, documents: list[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.documents = [str(d) for d in documents]
        self.k1, self.b = k1, b
        self.counts = [Counter(words(d)) for d in self.documents]
        self.lengths = [sum(c.values()) for c in self.counts]
        self.mean_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        frequency: Counter = Counter()
        for c in self.counts:
            frequency.update(c.keys())
        n = len(self.documents)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def scores(self, query: str) -> list[float]:
        terms = words(query)
        out = []
        for counts, length in zip(self.counts, self.lengths):
            norm = self.k1 * (1 - self.b + self.b * length / (self.mean_length or 1.0))
            out.append(
                sum(self.idf.get(t, 0.0) * counts[t] * (self.k1 + 1) / (counts[t] + norm) for t in terms if t in counts)
            )
        return out

    def search(self, query: str, k: int = 3) -> list[str]:
        """The ``k`` best documents for ``query`` (those sharing no word with it are left out)."""
        ranked = sorted(enumerate(self.scores(query)), key=lambda p: (-p[1], p[0]))
        return [self.documents[i] for i, s in ranked[: max(0, int(k))] if s > 0]


class _Timeout(Exception):
    pass


_FENCE = re.compile(r"```[ \t]*(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.S | re.I)


def unfenced(code: str) -> str:
    """The first Markdown code block of ``code`` (a model's reply often wraps its program in one), else
    ``code`` itself."""
    found = _FENCE.search(code)
    return found.group(1) if found else code


def run_python(code: str, timeout: float = 2.0, limit: int = 4000) -> str:
    """Run ``code`` (or its first Markdown code block) in a fresh namespace; return what it printed,
    then ``Error: ...`` if it raised. ``timeout``: seconds (a SIGALRM timer; the whole agent is in the
    sandbox anyway)."""
    if not isinstance(code, str):
        raise ToolError("python: give the code as a string")
    code = unfenced(code)
    out = io.StringIO()

    def expire(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, min(float(timeout), 10.0)))
    error = ""
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<tool-python>", "exec"), {"__name__": "__main__"})
    except _Timeout:
        error = f"Error: timed out after {timeout:g}s"
    except (Exception, SystemExit) as err:  # the code's own failure is the tool's answer
        error = f"Error: {type(err).__name__}: {err}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    text = out.getvalue()
    return (text + ("\n" if text and error else "") + error)[-limit:]
