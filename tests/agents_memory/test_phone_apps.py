"""The text phone: its conventions, and every kind of goal checkable by the end state."""

import json

import pytest
from memory_helpers import LESSONS

from evoforge.core.errors import TaskError
from evoforge.core.task import load_task
from evoforge.genomes.agents import Phone
from evoforge.genomes.agents.phone.apps import AppError
from evoforge.genomes.agents.phone.task import end_score
from evoforge.tasks.agents import agent_apps

BOOK = {"contacts": [{"name": "Ann Lee", "phone": "5550101", "email": "ann@example.org"}], "notes": [], "events": []}


def test_the_phone_refuses_wrong_formats_and_drops_unsaved_edits():
    phone = Phone(BOOK)
    phone.act("open_app", "Contacts")
    phone.act("tap", "Ann Lee")
    phone.act("tap", "Edit")
    with pytest.raises(AppError, match="digits only"):
        phone.act("type", "phone", "555-0199")
    phone.act("type", "phone", "5550199")
    phone.act("back")  # leaves the editor without Save: the change is gone
    assert phone.data["contacts"][0]["phone"] == "5550101"
    phone.act("tap", "Ann Lee")
    phone.act("tap", "Delete")
    assert "Confirm" in phone.screen() and phone.data["contacts"]  # not deleted before Confirm
    phone.act("tap", "Confirm")
    assert phone.data["contacts"] == [] and BOOK["contacts"]  # the phone works on its own copy
    assert [s["action"] for s in phone.log][:4] == ["open_app", "tap", "tap", "type"]
    assert "digits only" in phone.log[3]["error"]
    with pytest.raises(AppError, match="no action"):
        phone.act("reboot")
    with pytest.raises(AppError, match="open an editor"):
        phone.act("type", "title", "x")


def test_sequences_are_deterministic_and_heldout_differs():
    first, again = agent_apps.sequence(3, 10), agent_apps.sequence(3, 10)
    assert first == again and json.loads(json.dumps(first)) == first
    task = load_task("agent-apps", {"tasks": 8, "seed": 3})
    assert [x["question"] for x in task.value.search] != [x["question"] for x in task.value.heldout]
    assert {x["kind"] for x in task.value.search} == set(agent_apps.KINDS)


def test_bad_options_are_one_line():
    with pytest.raises(TaskError, match="rejected"):
        load_task("agent-apps", {"tasks": 0})


def test_every_goal_is_reachable_and_not_already_met(phone_model):
    """An agent that knows the conventions solves every kind; the untouched phone meets no goal."""
    task = load_task("agent-apps", {"tasks": 8, "seed": 5, "call_limit": 12})
    seed = task.seed
    parts = {**seed["parts"], "max_steps": 12, "memory": "\n".join(LESSONS.values())}
    for i, item in enumerate(task.value.search):
        assert end_score(Phone(item["initial"]), "", item["checks"]) < 1.0, item["kind"]
        result = task.evaluate({**seed, "parts": parts, "items": [i]})
        assert result["score"] == 1.0, (item["kind"], result["feedback"])
        trajectory = result["metrics"]["trajectories"][0]
        assert result["metrics"]["actions"] == [len(trajectory)] and all("error" not in s for s in trajectory)
    assert "initial" not in task.value.shown(task.value.search[0])  # the agent sees the goal only


def test_without_the_conventions_a_goal_costs_more_steps_or_fails(phone_model):
    task = load_task("agent-apps", {"tasks": 8, "seed": 5})
    i = next(i for i, x in enumerate(task.value.search) if x["kind"] == "new_event")
    result = task.evaluate({**task.seed, "items": [i]})
    errors = [s for s in result["metrics"]["trajectories"][0] if "error" in s]
    assert result["score"] < 1.0 and len(errors) == 2  # date and time refused, then the call limit
