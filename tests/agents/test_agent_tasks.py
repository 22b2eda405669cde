"""Agent tasks and the hand-designed baselines: splits, scoring, failures that are not wrong answers."""

# ruff: noqa: E501  (tables of templates and test data read better on one line)

import pytest

from evoforge.core.task import load_task
from evoforge.genomes.agents import AgentFailure, baseline, baselines
from evoforge.genomes.agents.baselines import CALLS, names


def test_every_baseline_runs_with_its_stated_number_of_calls(scripted, add_task):
    task = load_task(add_task)
    for name in names():
        before = scripted.usage.total.calls
        result = task.evaluate({**baseline(name), "items": [0]})
        assert result["metrics"]["errors"] == [], name
        assert scripted.usage.total.calls - before == CALLS[name], name
    assert len(baselines()) == 7


def test_empty_model_replies_are_errors_not_wrong_answers(scripted, add_task):
    task = load_task(add_task)
    empty = {"code": "def forward(task, tools):\n    try:\n        return tools.llm('EMPTY')\n"
             "    except Exception:\n        return task['question']\n", "parts": {}}  # fmt: skip
    with pytest.raises(AgentFailure, match=r"all 4 items failed \(4x\): empty model reply"):
        task.evaluate(empty)
    mixed = {"code": "def forward(task, tools):\n    if '1 + 1' in task['question']:\n        return tools.llm('EMPTY')\n"
             "    return tools.llm(task['question'] + ' carefully')\n", "parts": {}}  # fmt: skip
    result = task.evaluate(mixed)
    assert result["metrics"]["errors"] == ["empty model reply (finish_reason=length)"]
    assert result["score"] == 0.75 and "failed with errors" in result["feedback"]


def test_heldout_items_are_separate(scripted, add_task):
    task = load_task(add_task)
    careful = {
        "code": "def forward(task, tools):\n    return tools.llm(task['question'] + ' carefully')\n",
        "parts": {},
    }
    held = task.evaluate({**careful, "split": "heldout", "items": [0, 1]})
    assert held["metrics"]["split"] == "heldout" and held["score"] == 1.0
    assert {x["question"] for x in task.value.search}.isdisjoint(x["question"] for x in task.value.heldout)


@pytest.mark.parametrize("name", ["agent-arith", "agent-logic", "agent-code"])
def test_builtin_agent_tasks_split_and_score(name):
    task = load_task(name, {"search": 4, "heldout": 3, "seed": 2})
    value = task.value
    assert len(value.search) == 4 and len(value.heldout) == 3 and task.kind == "agent"
    questions = [x["question"] for x in [*value.search, *value.heldout]]
    assert len(set(questions)) == len(questions)
    for item in value.search:
        shown = value.shown(item)
        assert "answer" not in shown and "format" in shown
        assert value.score(item, "no idea") == 0.0
    if name == "agent-arith":
        item = value.search[0]
        assert value.score(item, f"So... Answer: {item['answer']}") == 1.0
    if name == "agent-logic":
        item = value.search[0]
        assert value.score(item, f"Answer: {item['answer']}") == 1.0
        assert "clues" not in value.shown(item)
    if name == "agent-code":
        from evoforge.tasks.agents.agent_code import _TEMPLATES

        item = value.search[0]
        fixed = next(t[2] for t in _TEMPLATES if t[0] == item["function"])
        assert value.score(item, f"```python\n{fixed}```") == 1.0
        assert "ok" in value.actions["run_tests"](item, fixed)


def test_logic_puzzles_have_exactly_one_solution_and_no_redundant_clue():
    import random

    from evoforge.tasks.agents.agent_logic import puzzle, solutions

    rng = random.Random(5)
    for _ in range(5):
        item = puzzle(rng)
        clues = [tuple(c) for c in item["clues"]]
        (_world,) = solutions(item["people"], item["values"], clues)
        assert item["answer"] in item["people"]
        for k in range(len(clues)):
            assert len(solutions(item["people"], item["values"], clues[:k] + clues[k + 1 :])) > 1
