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

import re
from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.weights.task import WeightsTask
from evoforge.isolation.program_sandbox import run_program

from . import _verifiable as V

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


def gold(question: str) -> str:
    """What the program prints ("?" when it fails or prints no integer: no answer is right)."""
    out = run([question])[0]
    if out is None or not re.fullmatch(r"-?\d+", out):
        return "?"
    return str(int(out))


@dataclass(kw_only=True)
class ProgramOutput(WeightsTask):
    """Programs of ``lines`` statements; the base model is SmolLM2-135M-Instruct."""

    description: str = "predict what a short Python program prints (genome: checkpoint dir; score: held-out accuracy)"
    lines: int = option(3, help="statements per program before its print")
    heldout: int = option(200, help="held-out programs")
    rationale: bool = option(True, help="gold answers trace the values line by line")
    split_seed: int = option(777, help="seed of the held-out split")
    batch_size: int = option(64, help="prompts per generation batch")

    def __post_init__(self) -> None:
        if self.lines < 1:
            raise ValueError("program_output: lines >= 1")

    @property
    def max_new_tokens(self) -> int:
        return 12 + (12 * self.lines + 8 if self.rationale else 0)

    def _draw(self, rng: np.random.Generator, lines: int | None = None) -> str:
        first = str(rng.choice(["x", "y", "z"]))
        defined, code = [first], [f"{first} = {int(rng.integers(1, 10))}"]
        for _ in range((lines or self.lines) - 1):
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

    def heldout_problems(self) -> list[str]:
        return self.cached("heldout", self._heldout)

    def _heldout(self) -> list[str]:
        held = V.split(self._draw, self.heldout, self.split_seed, 0, 0)[0]
        run(held)
        return held

    def train_problems(self, n: int, seed: int, digits: int | None = None) -> list[str]:
        """``n`` training programs drawn with ``seed``, none of them held out (``digits``: ignored)."""
        out = V.split(self._draw, self.heldout, self.split_seed, n, seed)[1]
        run(out)
        return out

    def gold(self, question: str) -> str:
        return gold(question)

    def prompt(self, question: str, hint: str | None = None) -> str:
        return f"Program:\n{question}\nWhat does it print?{f' (answer {hint})' if hint is not None else ''}\nA:"

    def solution(self, question: str) -> str:
        """The values line by line, then the answer (or the answer alone)."""
        t = trace(question)
        if t is None:
            raise ValueError(f"not a program of this task: {question[:60]!r}")
        return (" " + ", ".join(t[0]) + f". Answer: {t[1]}") if self.rationale else f" Answer: {t[1]}"

    def answer(self, text: str) -> str | None:
        return V.answer(text)

    def easier(self, question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
        """Each variant one statement shorter (a statement whose removal leaves a program of the
        grammar); a program with no such statement stays as is."""
        lines = question.split("\n")
        shorter = ["\n".join(lines[:i] + lines[i + 1 :]) for i in range(1, len(lines) - 1)]
        shorter = [v for v in shorter if trace(v) is not None] if trace(question) is not None else []
        if not shorter:
            return [question] * k
        return [shorter[int(rng.integers(len(shorter)))] for _ in range(k)]


TASK = ProgramOutput()
