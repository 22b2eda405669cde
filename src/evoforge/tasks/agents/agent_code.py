"""Agent task: fix a bug in a small Python function so that it passes unit tests (generated).

Each item is a short function from a dozen templates with one planted bug (an off-by-one, a flipped
comparison, a wrong start value, ...) and three visible tests; the score is the share of ten hidden
tests the agent's fixed function passes, run in the program sandbox. The environment action
``tools.act("run_tests", code)`` runs the visible tests in the sandbox and reports what failed.
"""

# ruff: noqa: E501  (tables of templates and test data read better on one line)

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from evoforge.core.task_value import option
from evoforge.genomes.programs.extract import extract_function
from evoforge.isolation.program_sandbox import run_program

from ._generated import GeneratedAgentTask

# (function name, what it should do, correct source, (correct fragment, buggy fragment), input maker)
_TEMPLATES = [
    (
        "total",
        "return the sum of the numbers in xs",
        "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n",
        ("s = 0", "s = 1"),
        "list",
    ),
    (
        "largest",
        "return the largest number in the non-empty list xs",
        "def largest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n",
        ("x > best", "x < best"),
        "list",
    ),
    (
        "count_even",
        "return how many numbers in xs are even",
        "def count_even(xs):\n    return sum(1 for x in xs if x % 2 == 0)\n",
        ("x % 2 == 0", "x % 2 == 1"),
        "list",
    ),
    (
        "factorial",
        "return n! for n >= 0",
        "def factorial(n):\n    out = 1\n    for k in range(2, n + 1):\n        out *= k\n    return out\n",
        ("range(2, n + 1)", "range(2, n)"),
        "small",
    ),
    (
        "count_vowels",
        "return how many vowels (a, e, i, o, u) the lower-case string s has",
        "def count_vowels(s):\n    return sum(1 for c in s if c in 'aeiou')\n",
        ("'aeiou'", "'aeio'"),
        "word",
    ),
    (
        "reverse_words",
        "return the words of s in reverse order, joined by single spaces",
        "def reverse_words(s):\n    return ' '.join(s.split()[::-1])\n",
        ("[::-1]", "[:-1]"),
        "sentence",
    ),
    (
        "clamp",
        "return x limited to the range [lo, hi]",
        "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n",
        ("max(lo, min(x, hi))", "min(lo, max(x, hi))"),
        "clamp",
    ),
    (
        "running_max",
        "return the list of running maxima of xs",
        "def running_max(xs):\n    out, best = [], None\n    for x in xs:\n        best = x if best is None or x > best else best\n        out.append(best)\n    return out\n",
        ("x > best", "x >= best and x < 0"),
        "list",
    ),
    (
        "is_palindrome",
        "return whether the string s reads the same backwards",
        "def is_palindrome(s):\n    return s == s[::-1]\n",
        ("s[::-1]", "s[1:]"),
        "word",
    ),
    (
        "last_index",
        "return the last index of value v in xs, or -1",
        "def last_index(xs, v):\n    for i in range(len(xs) - 1, -1, -1):\n        if xs[i] == v:\n            return i\n    return -1\n",
        ("range(len(xs) - 1, -1, -1)", "range(len(xs) - 1, 0, -1)"),
        "index",
    ),
    (
        "mean",
        "return the mean of the non-empty list xs",
        "def mean(xs):\n    return sum(xs) / len(xs)\n",
        ("/ len(xs)", "/ (len(xs) + 1)"),
        "list",
    ),
    (
        "digits_sum",
        "return the sum of the decimal digits of n >= 0",
        "def digits_sum(n):\n    s = 0\n    while n > 0:\n        s += n % 10\n        n //= 10\n    return s\n",
        ("n % 10", "n % 9"),
        "small",
    ),
]
_WORDS = ["level", "apple", "radar", "queue", "noon", "banana", "civic", "tree", "a", "abba", "rotor", "kayak"]


def _inputs(kind: str, rng: random.Random) -> list:
    if kind == "list":
        return [[rng.randint(-9, 20) for _ in range(rng.randint(1, 7))]]
    if kind == "small":
        return [rng.randint(0, 12) if rng.random() < 0.5 else rng.randint(0, 9999)]
    if kind == "word":
        return [rng.choice(_WORDS)]
    if kind == "sentence":
        return [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 5)))]
    if kind == "clamp":
        lo = rng.randint(-5, 5)
        return [rng.randint(-15, 15), lo, lo + rng.randint(0, 8)]
    xs = [rng.randint(0, 4) for _ in range(rng.randint(1, 7))]
    return [xs, rng.choice(xs) if rng.random() < 0.8 else 9]


def item(rng: random.Random) -> dict:
    name, doc, source, (good, bad), kind = rng.choice(_TEMPLATES)
    env: dict = {}
    exec(source, env)  # our own template, trusted
    cases = []
    while len(cases) < 13:
        args = _inputs(kind, rng)
        if name == "factorial":
            args = [args[0] % 13]
        cases.append([args, env[name](*args)])
    buggy = source.replace(good, bad, 1)
    shown = "\n".join(f"assert {name}({', '.join(map(repr, a))}) == {r!r}" for a, r in cases[:3])
    question = (
        f"This function should {doc}, but it has a bug:\n\n{buggy}\nTests it must pass:\n{shown}\n\n"
        f"Fix the bug and write the whole corrected function {name}."
    )
    return {"question": question, "function": name, "visible": cases[:3], "answer": cases[3:]}


_HARNESS = """
def run(program, inputs):
    fn = getattr(program, inputs["function"])
    out = []
    for args, want in inputs["cases"]:
        try:
            out.append(fn(*args) == want)
        except Exception as err:
            out.append(f"{type(err).__name__}: {err}")
    return out
"""


def _check(code: str, name: str, cases: list) -> list:
    result = run_program(code, _HARNESS, {"function": name, "cases": cases}, timeout=5.0, preload=(), memory_mb=512)
    if not result.ok:
        return [result.reason or "failed"] * len(cases)
    return list(result.value)


def score(item: dict, answer: object) -> float:
    got = extract_function(str(answer or ""), item["function"])
    if not got.ok:
        return 0.0
    outcomes = _check(got.code, item["function"], item["answer"])
    return sum(1 for o in outcomes if o is True) / len(item["answer"])


def run_tests(item: dict, code: object) -> str:
    """The environment action: run the visible tests on ``code`` in the sandbox."""
    got = extract_function(str(code or ""), item["function"])
    if not got.ok:
        return f"no function {item['function']} found: {got.reason}"
    outcomes = _check(got.code, item["function"], item["visible"])
    lines = [
        f"{item['function']}({', '.join(map(repr, args))}): "
        + ("ok" if o is True else f"wanted {want!r}" if o is False else str(o))
        for (args, want), o in zip(item["visible"], outcomes)
    ]
    return "\n".join(lines)


@dataclass(kw_only=True)
class AgentCode(GeneratedAgentTask):
    name: str = "agent-code"
    description: str = (
        "agent design: fix a planted bug in a small Python function, hidden unit tests (search / held-out items)"
    )
    score: Callable[[dict, object], float] = score
    hidden: tuple[str, ...] = ("answer", "visible")
    items_per_eval: int = 4
    max_tokens: int = 256
    answer_format: str = "Reply with the corrected function in a ```python code block."
    n_search: int = option(24, name="search", help="search items (what recipes see)")
    n_heldout: int = option(24, name="heldout", help="held-out items (for the final comparison)")

    def __post_init__(self) -> None:
        super().__post_init__()
        self.actions = {"run_tests": run_tests}

    def make_items(self, n: int) -> list[dict]:
        rng = random.Random(f"agent-code-{self.items_seed}")
        return [item(rng) for _ in range(n)]


TASK = AgentCode()
