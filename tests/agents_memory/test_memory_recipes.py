"""The memory recipes end to end with a scripted model: memory against the control arm, memory
carried across runs, and a run killed with SIGKILL that resumes with its memory."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from memory_helpers import ScriptedPhoneModel

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor

RECIPES = {
    "mobile-agent-e": "tips-shortcuts",
    "mobile-steward": "guides",
    "long-term-memory": "long-term",
    "expel": "insights",
}


def sequence_run(name, model, tasks=16, **params):
    task = load_task("agent-apps", {"tasks": tasks, "seed": 0})
    recipe = get_recipe(name).from_params(params)
    recipe.model = model
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=100)).run(InProcessExecutor(task))
    return recipe, result


def solved(recipe):
    return sum(r["solved"] for r in recipe.history)


@pytest.mark.parametrize("name", RECIPES)
def test_memory_against_the_control_arm(name, phone_model):
    control, _ = sequence_run(name, phone_model, memory=False)
    assert phone_model.reflections == 0 and control.mem.kind == "none" and control.mem.entries() == []
    assert "control arm" in control.report(None)
    recipe, result = sequence_run(name, phone_model)
    assert result.stop_reason == "the sequence of 16 tasks is done" and len(recipe.history) == 16
    assert recipe.mem.kind == RECIPES[name] and recipe.mem.entries() and phone_model.reflections > 0
    calls = [sum(r["calls"] for r in arm.history if r["solved"]) / solved(arm) for arm in (recipe, control)]
    assert calls[0] < calls[1]  # fewer model calls per solved task
    if name != "mobile-steward":  # guides come only from successes: the formats it never got right stay unknown
        assert solved(recipe) > solved(control)
    report = recipe.report(None)
    assert f"memory {RECIPES[name]}:" in report and json.dumps(recipe.mem.entries()[0])[:40] in report


def test_shortcuts_are_carried_to_later_tasks_and_used(phone_model):
    recipe, _ = sequence_run("mobile-agent-e", phone_model)
    assert set(recipe.mem.shortcuts) == {"add_contact", "add_event", "create_note"}
    late = [r for r in recipe.history if r["actions"] > r["calls"]]  # a call ran several actions
    assert late and min(r["task"] for r in late) > 0


def test_memory_survives_across_runs_through_a_file(phone_model, tmp_path):
    path = tmp_path / "memory.json"
    first, _ = sequence_run("expel", phone_model, tasks=8, memory_file=str(path))
    saved = json.loads(path.read_text())
    assert saved == first.mem.state() and saved["entries"]
    second, _ = sequence_run("expel", phone_model, tasks=8, memory_file=str(path))
    assert solved(second) > solved(first)  # starts with the rules the first run learned
    with pytest.raises(ConfigError, match="holds a 'insights' memory, not 'tips-shortcuts'"):
        sequence_run("mobile-agent-e", phone_model, tasks=2, memory_file=str(path))
    path.write_text("{garbage")
    with pytest.raises(ConfigError, match="memory_file"):
        sequence_run("expel", phone_model, tasks=2, memory_file=str(path))


@pytest.fixture
def server():
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(ScriptedPhoneModel()) as handle:
        yield handle


def test_killed_run_resumes_with_its_memory_and_show_prints_it(server, tmp_path, evoforge_cli, stored_rows):
    def cli(*args):
        return evoforge_cli(*args, server=server, task_model=True)

    def rows(path, being_written=False):
        return stored_rows(path, "id", "score", "status", "genome", "info", being_written=being_written)

    common = ["--task", "agent-apps", "--set", "task.tasks=10", "--seed", 2, "--checkpoint-every", 0]
    reference = tmp_path / "reference.db"
    proc = cli("run", "mobile-agent-e", *common, "--out", reference)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    killed = tmp_path / "killed.db"
    proc = cli("run", "mobile-agent-e", *common, "--out", killed)
    rand, kills, seen = random.Random(5), 0, 0
    while kills < 2:
        deadline = time.time() + 60
        while proc.poll() is None and time.time() < deadline and len(rows(killed, True)) <= seen + 1:
            time.sleep(0.05)
        time.sleep(rand.uniform(0.0, 0.3))
        if proc.poll() is not None:
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        so_far = rows(killed)
        assert so_far == rows(reference)[: len(so_far)]
        seen = len(so_far)
        proc = cli("resume", killed)
    assert kills >= 1, "the run ended before it could be killed"
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)  # the same prompts (memory recalled) and memory updates
    shown = subprocess.run([sys.executable, "-m", "evoforge", "show", str(killed)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "memory tips-shortcuts:" in shown.stdout and "digits only" in shown.stdout
    assert '"name": "add_contact"' in shown.stdout
