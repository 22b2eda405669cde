"""selfgoal and autotelic end to end on the text phone with a scripted model."""

import json
from pathlib import Path

import pytest
from goal_helpers import MISLEADING

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.genomes.agents import load_memory
from evoforge.genomes.agents.memory.base import MemoryFormatError
from evoforge.genomes.agents.memory.goal_tree import GoalTree
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


def run(name, model, tasks=12, evaluations=100, **params):
    task = load_task("agent-apps", {"tasks": tasks, "seed": 0})
    recipe = get_recipe(name).from_params(params)
    recipe.model = model
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=evaluations)).run(InProcessExecutor(task))
    return recipe, result


def test_selfgoal_tree_guides_the_agent_and_is_pruned(goal_model):
    control, _ = run("selfgoal", goal_model, memory=False)
    assert control.decomposed == "" and goal_model.reflections == 0
    recipe, result = run("selfgoal", goal_model)
    assert result.stop_reason == "the sequence of 12 tasks is done"
    tree = recipe.mem
    texts = [n["text"] for n in tree.nodes]
    assert recipe.decomposed.startswith("4 sub-goal(s) added")
    assert MISLEADING not in texts and tree.pruned >= 1  # pruned from feedback
    lesson = next(n for n in tree.nodes if "YYYY-MM-DD" in n["text"])
    assert tree._node(lesson["parent"])["text"].startswith("Add calendar events")  # added under its sub-goal
    assert sum(r["solved"] for r in recipe.history) > sum(r["solved"] for r in control.history)
    assert "YYYY-MM-DD" in tree.recall({"question": "Add a calendar event 'X' on 3 May 2025 at 3pm."})
    report = recipe.report(None)
    assert "goal tree:" in report and "0. Complete everyday tasks" in report
    again = load_memory(json.loads(json.dumps(tree.state())))
    assert isinstance(again, GoalTree) and again.entries() == tree.entries()
    with pytest.raises(MemoryFormatError):
        load_memory({"kind": "goal-tree", "entries": [{"id": 0, "parent": None, "text": "x"}, {"id": 1, "parent": 7}]})


def test_goal_tree_ignores_unusable_edits():
    tree = GoalTree()
    assert tree.update([], {"goal": "g", "success": False}, lambda p: "ADD 0: sub\nADD 0: sub\nPRUNE 0\nADD 9: x") \
        == "1 sub-goal(s) added, 0 pruned"  # fmt: skip
    assert [n["text"] for n in tree.nodes][1:] == ["sub"]
    assert tree.update([], {"goal": "g"}, lambda p: "whatever") == "reflection unusable" and tree.unusable == 1


def test_autotelic_discovers_and_masters_goals(goal_model):
    escape = Path("/tmp/evoforge-escape")
    escape.unlink(missing_ok=True)
    recipe, result = run("autotelic", goal_model, evaluations=12, revisit=0.5, tries=8)
    goals = {g["goal"]: g for g in recipe.goals}
    assert len(recipe.episodes) >= 6, result.stop_reason
    ideas = goals["Create a note titled 'Ideas2' that says 'tea'."]
    assert ideas["source"] == "proposed" and ideas["successes"] >= 2 and recipe.mastered(ideas)
    assert recipe.counts["unusable"] >= 2 and recipe.counts["already true"] >= 1  # the loop, the escape, the trivial
    assert not escape.exists()  # reward functions ran in the sandbox
    assert "Loop forever." not in goals and "Keep the notes." not in goals
    assert "Create a note titled 'Never' that says 'made'." not in goals  # relabels are checked against the state
    swim = goals.get("Add a calendar event 'Swim' on 4 May 2025 at 3pm.")
    assert swim is not None and swim["successes"] == 0 and swim["attempts"] >= 1  # wrong formats: not achieved
    assert recipe.discovered() and all(g["achieved"] > 0 for g in recipe.discovered())
    assert any(len(e["achieved"]) >= 1 for e in recipe.episodes)
    report = recipe.report(None)
    assert "discovered" in report and "* Create a note titled 'Ideas2'" in report
    answer = recipe.answer(None)
    assert ideas["goal"] in answer["genome"]["mastered"] and 0 < answer["score"] <= 1
