"""Predict what a short generated Python program prints, for self-training of weights: the genome is a
model checkpoint directory, the score its held-out accuracy (greedy decoding).

A problem is a straight-line program over ``x``, ``y``, ``z`` (assignments with ``+ - *`` and one-line
``if``), ``lines`` statements long, ending in ``print``. The gold answer is what the program prints when
it is *run*, in the program sandbox (:mod:`evoforge.isolation.program_sandbox`: a problem read from a run file
is untrusted text), many programs per sandbox process, cached. Gold solutions trace the values line by
line ("x=3, y=3*4=12, 12-1=11. Answer: 11"); the tracer understands only the generated grammar.
Options (``--set task.KEY=VALUE``): ``lines`` (3), ``heldout`` (200 problems), ``rationale`` (True),
``split_seed``, ``batch_size`` (generation).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from evoforge.isolation.program_sandbox import run_program

from . import _verifiable as V

DESCRIPTION = "predict what a short Python program prints (genome: checkpoint dir; score: held-out accuracy)"
GENOME = "weights"  # not inferable from SEED (evoforge.core.kinds)
SEED = "embedded"  # the base model: SmolLM2-135M-Instruct de-quantized

LINES = 3
HELDOUT = 200
RATIONALE = True
SPLIT_SEED = 777
BATCH_SIZE = 64
MAX_NEW_TOKENS = 48

_cache: dict[str, Any] = {}
_outputs: dict[str, str | None] = {}  # program -> what it printed (None: it failed), from the sandbox

_HARNESS = """
def run(program, inputs):
    import contextlib, io
    out = []
    for src in inputs:
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                exec(src, {"__builtins__": {"print": print}})
            out.append(buf.getvalue().strip())
        except Exception:
            out.append(None)
    return out
"""
_ASSIGN = re.compile(r"^([xyz]) = ([xyz]|\d+)(?: ([-+*]) ([xyz]|\d+))?$")
_IF = re.compile(r"^if ([xyz]) > (\d+): ([xyz]) = ([xyz]) - (\d+)$")
_PRINT = re.compile(r"^print\(([xyz])\)$")


def configure(
    lines: int = 3, heldout: int = 200, rationale: bool = True, split_seed: int = 777, batch_size: int = 64
) -> None:
    global LINES, HELDOUT, RATIONALE, SPLIT_SEED, BATCH_SIZE, MAX_NEW_TOKENS
    LINES, HELDOUT, SPLIT_SEED, BATCH_SIZE = int(lines), int(heldout), int(split_seed), int(batch_size)
    if LINES < 1:
        raise ValueError("program_output: lines >= 1")
    RATIONALE = V.as_bool(rationale)
    MAX_NEW_TOKENS = 12 + (12 * LINES + 8 if RATIONALE else 0)
    _cache.clear()


def _draw(rng: np.random.Generator, lines: int | None = None) -> str:
    first = str(rng.choice(["x", "y", "z"]))
    defined, code = [first], [f"{first} = {int(rng.integers(1, 10))}"]
    for _ in range((lines or LINES) - 1):
        target = str(rng.choice(["x", "y", "z"]))
        a = str(rng.choice(defined))
        if rng.random() < 0.2:
            limit = int(rng.integers(5, 15))
            code.append(f"if {a} > {limit}: {a} = {a} - {int(rng.integers(1, limit))}")
            continue
        op = str(rng.choice(["+", "-", "*"]))
        b = (
            str(rng.choice(defined))
            if rng.random() < 0.5
            else str(int(rng.integers(2 if op == "*" else 1, 4 if op == "*" else 10)))
        )
        code.append(f"{target} = {a} {op} {b}")
        if target not in defined:
            defined.append(target)
    code.append(f"print({rng.choice(defined)})")
    return "\n".join(code)


def trace(program: str) -> tuple[list[str], int] | None:
    """The steps and the printed value of a program of the generated grammar (None for anything else)."""
    env: dict[str, int] = {}
    steps: list[str] = []

    def val(tok: str) -> int | None:
        return int(tok) if tok.isdigit() else env.get(tok)

    lines = program.split("\n")
    for line in lines[:-1]:
        if m := _ASSIGN.match(line):
            a = val(m.group(2))
            if a is None:
                return None
            if m.group(3) is None:
                env[m.group(1)] = a
                steps.append(f"{m.group(1)}={a}")
                continue
            b = val(m.group(4))
            if b is None:
                return None
            r = a + b if m.group(3) == "+" else a - b if m.group(3) == "-" else a * b
            env[m.group(1)] = r
            steps.append(f"{m.group(1)}={a}{m.group(3)}{b}={r}")
        elif m := _IF.match(line):
            v, limit, dst, src, sub = m.group(1), int(m.group(2)), m.group(3), m.group(4), int(m.group(5))
            if v not in env or src not in env:
                return None
            if env[v] > limit:
                before, env[dst] = env[src], env[src] - sub
                steps.append(f"{v}>{limit} so {dst}={before}-{sub}={env[dst]}")
            else:
                steps.append(f"{v}<={limit}")
        else:
            return None
    m = _PRINT.match(lines[-1]) if lines else None
    if not m or m.group(1) not in env:
        return None
    return steps, env[m.group(1)]


def run(programs: list[str]) -> list[str | None]:
    """What each program prints, run in the sandbox (cached; one sandbox process for all new ones)."""
    todo = list(dict.fromkeys(p for p in programs if p not in _outputs))
    if todo:
        res = run_program("", _HARNESS, todo, timeout=10.0 + 0.01 * len(todo), preload=(), memory_mb=256)
        if res.ok and isinstance(res.value, list) and len(res.value) == len(todo):
            values = res.value
        elif len(todo) > 1:  # one bad program spoils the batch: run them one by one
            values = [run([p])[0] for p in todo]
        else:
            values = [None]
        for p, v in zip(todo, values):
            _outputs[p] = v if isinstance(v, str) else None
    return [_outputs[p] for p in programs]


def heldout() -> list[str]:
    """The held-out programs (fixed by ``split_seed``); never used for training."""
    if "heldout" not in _cache:
        _cache["heldout"] = V.split(_draw, HELDOUT, SPLIT_SEED, 0, 0)[0]
        run(_cache["heldout"])
    return _cache["heldout"]


def train_problems(n: int, seed: int, digits: int | None = None) -> list[str]:
    """``n`` training programs drawn with ``seed``, none of them held out (``digits``: ignored)."""
    out = V.split(_draw, HELDOUT, SPLIT_SEED, n, seed)[1]
    run(out)
    return out


def gold(question: str) -> str:
    out = run([question])[0]
    if out is None or not re.fullmatch(r"-?\d+", out):
        return "?"  # it failed or printed no integer: no answer is right
    return str(int(out))


def prompt(question: str, hint: str | None = None) -> str:
    """The prompt; with ``hint`` (the right answer) it is STaR's rationalization prompt."""
    return f"Program:\n{question}\nWhat does it print?{f' (answer {hint})' if hint is not None else ''}\nA:"


def solution(question: str) -> str:
    """The gold completion: the values line by line, then the answer (or the answer alone)."""
    t = trace(question)
    if t is None:
        raise ValueError(f"not a program of this task: {question[:60]!r}")
    return (" " + ", ".join(t[0]) + f". Answer: {t[1]}") if RATIONALE else f" Answer: {t[1]}"


answer = V.answer


def correct(question: str, text: str) -> bool:
    return answer(text) == gold(question)


def easier(question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
    """LADDER: ``k`` simpler variants, each one statement shorter (a statement whose removal leaves a
    program of the grammar); a program with no such statement stays as is."""
    lines = question.split("\n")
    shorter = ["\n".join(lines[:i] + lines[i + 1 :]) for i in range(1, len(lines) - 1)]
    shorter = [v for v in shorter if trace(v) is not None] if trace(question) is not None else []
    if not shorter:
        return [question] * k
    return [shorter[int(rng.integers(len(shorter)))] for _ in range(k)]


def accuracy(checkpoint: str, questions: list[str]) -> tuple[float, list[str]]:
    """Greedy accuracy of ``checkpoint`` on ``questions`` and its completions."""
    return V.accuracy(
        checkpoint, questions, prompt=prompt, correct=correct, max_new_tokens=MAX_NEW_TOKENS, batch_size=BATCH_SIZE
    )


def evaluate(genome: str) -> dict[str, Any]:
    return V.evaluate(genome, heldout(), accuracy)
