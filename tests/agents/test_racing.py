"""Racing: an agent is scored in rungs and stopped once it cannot plausibly beat the score to beat."""

import pytest

from evoforge.core.task import load_task
from evoforge.genomes.agents.racing import out_of_race, raced, rungs, upper_bound

CAREFUL = {"code": "def forward(task, tools):\n    return tools.llm(task['question'] + ' carefully')\n", "parts": {}}
CARELESS = {"code": "def forward(task, tools):\n    return tools.llm(task['question'])\n", "parts": {}}


def test_upper_bound_shrinks_with_items_and_stays_above_the_mean():
    assert upper_bound(0, 4) == pytest.approx(1.64 / 5.64, abs=0.01)
    assert upper_bound(0, 16) < upper_bound(0, 8) < upper_bound(0, 4) < 0.3
    for right, n in ((1, 4), (3, 8), (8, 8)):
        assert right / n <= upper_bound(right, n) <= 1.0
    assert upper_bound(0, 0) == 1.0


def test_rungs_double_up_to_all_items():
    assert rungs(12) == [4, 8, 12] and rungs(40) == [4, 8, 16, 32, 40] and rungs(3) == [3] and rungs(4) == [4]


def test_a_race_stops_only_below_the_score_to_beat():
    assert out_of_race([0.0] * 4, 0.5) and not out_of_race([0.0] * 4, 0.2)
    assert not out_of_race([1.0, 0.0, 1.0, 0.0], 0.5) and not out_of_race([0.0] * 4, None)
    assert raced({"code": "x"}, None) == {"code": "x"} and raced({"code": "x"}, 0.5)["beat"] == 0.5


def test_a_weak_agent_is_stopped_after_the_first_rung_and_costs_fewer_calls(scripted, add_task):
    task = load_task(add_task)
    items = list(range(12))
    before = scripted.usage.total.calls
    weak = task.evaluate({**CARELESS, "items": items, "beat": 0.5})
    assert weak["metrics"]["raced_out"] and weak["metrics"]["items"] == items[:4]
    assert weak["score"] == 0.0 and "stopped early" in weak["feedback"]
    assert scripted.usage.total.calls - before == 4
    full = task.evaluate({**CARELESS, "items": items})  # no race: every item
    assert not full["metrics"]["raced_out"] and len(full["metrics"]["correct"]) == 12


def test_a_strong_agent_runs_every_rung(scripted, add_task):
    task = load_task(add_task)
    strong = task.evaluate({**CAREFUL, "items": list(range(12)), "beat": 0.5})
    assert not strong["metrics"]["raced_out"] and strong["metrics"]["correct"] == [1.0] * 12
    assert strong["score"] == 1.0
