"""The agent recipes end to end with a scripted model, and a run killed with SIGKILL and resumed."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from agent_helpers import ScriptedAgentModel

from evoforge import RunStore
from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


def search(name, task_ref, model, evaluations=14, **params):
    task = load_task(task_ref)
    recipe = get_recipe(name).from_params(params)
    recipe.model = model
    engine = Engine(task, recipe, seed=1, budget=Budget(evaluations=evaluations))
    return recipe, engine.run(InProcessExecutor(task))


def test_adas_finds_an_agent_better_than_every_baseline(scripted, add_task):
    recipe, result = search("adas", add_task, scripted)
    by_name = {e["genome"].get("name"): e["fitness"] for e in recipe.archive()}
    assert by_name["Chain-of-Thought"] == 0.0 and len(by_name) >= 8  # the baselines ran, and more
    best = recipe.best_agent()
    assert best["fitness"] == 1.0 and best["genome"]["parts"]["instruction"] == "Think carefully."
    assert best["id"] > 7  # written by the meta agent, not a seed
    assert recipe.ops.calls > 0 and "unusable answers" in recipe.report(None)
    assert result.best.score == 1.0


@pytest.mark.parametrize("name", ["adas", "dgm"])
def test_show_prints_the_archive_view_of_an_agent_search(scripted, add_task, tmp_path, name):
    """The archive of adas (keep-all) and dgm (open-ended) reaches readers as JSON: meta ``view``
    holds its size and best entries, and ``evoforge show`` prints them."""
    from click.testing import CliRunner

    from evoforge.cli.app import cli

    task = load_task(add_task)
    recipe = get_recipe(name).from_params({})
    recipe.model = scripted
    store = RunStore.create(tmp_path / "run.db", {"recipe": name, "task": add_task, "seed": 1})
    Engine(task, recipe, seed=1, budget=Budget(evaluations=14), store=store).run(InProcessExecutor(task))
    store.close()
    store = RunStore.open(tmp_path / "run.db")
    ranked = store.meta("view")["ranked"]
    store.close()
    entries = recipe.archive() if name == "adas" else recipe.archive().entries
    assert ranked["size"] == len(entries) >= 2
    assert ranked["top"][0]["score"] == max(e["fitness"] if name == "adas" else e.score for e in entries)
    shown = CliRunner().invoke(cli, ["show", str(tmp_path / "run.db")])
    assert shown.exit_code == 0, shown.output
    assert f"archive: {ranked['size']} entries; best: #{ranked['top'][0]['id']} " in shown.output


def test_adas_repairs_an_agent_that_crashed(scripted, add_task):
    recipe, _ = search("adas", add_task, scripted, evaluations=20)
    crashed = [c for c in recipe.archive() if c["genome"].get("name") == "fixed"]
    assert crashed, "a crashing agent should have been repaired and then run"


def test_dgm_stages_and_grows_an_open_archive(scripted, add_task):
    recipe, _ = search("dgm", add_task, scripted, evaluations=16, first_items=2)
    entries = recipe.archive().entries
    assert entries[0].id == 0 and entries[0].score == 0.0  # the seed, fully evaluated
    assert len(entries) >= 3 and recipe.best_agent()["fitness"] == 1.0
    assert sum(e.children for e in entries) > 0 and entries[0].children >= 1
    assert recipe.stage_failures > 0  # crashing children stop after the first stage


def test_dgm_ends_when_the_seed_fails(add_task):
    model = ScriptedAgentModel()
    from evoforge.genomes.agents import set_agent_model

    set_agent_model(model)
    try:
        task = load_task(add_task)
        task.value.seed = {"code": "def forward(task, tools):\n    return tools.llm('EMPTY')\n", "parts": {}}
        task.seed = task.value.seed
        recipe = get_recipe("dgm").from_params({})
        recipe.model = model
        result = Engine(task, recipe, seed=1, budget=Budget(evaluations=10)).run(InProcessExecutor(task))
    finally:
        set_agent_model(None)
    assert "seed agent failed" in result.stop_reason and "empty model reply" in result.stop_reason


@pytest.fixture
def server():
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(ScriptedAgentModel()) as handle:
        yield handle


def cli(server, tmp_path, *args):
    env = {**os.environ, "EVOFORGE_CACHE_DIR": str(tmp_path / "cache")}
    url = (
        ["--base-url", server.url, "--task-model", "openai:scripted", "--task-base-url", server.url]
        if args[0] == "run"
        else []
    )
    return subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args), *url, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env,
    )  # fmt: skip


def rows(path):
    store = RunStore.open(path)
    try:
        return [(c.id, c.score, c.status, c.genome) for c in store.candidates()]
    finally:
        store.close()


def test_adas_killed_mid_search_resumes_to_the_same_run(server, add_task, tmp_path):
    common = ["--task", add_task, "--budget", 18, "--seed", 3, "--batch-size", 2, "--model", "openai:scripted"]
    reference = tmp_path / "reference.db"
    proc = cli(server, tmp_path, "run", "adas", *common, "--out", reference)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    killed = tmp_path / "killed.db"
    proc = cli(server, tmp_path, "run", "adas", *common, "--out", killed)
    rand, kills, seen = random.Random(7), 0, 0
    while kills < 2:
        deadline = time.time() + 60
        while proc.poll() is None and time.time() < deadline and len(safe_rows(killed)) <= seen:
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
        proc = cli(server, tmp_path, "resume", killed)
    assert kills >= 1, "the run ended before it could be killed"
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)


def safe_rows(path):
    if not path.exists():
        return []
    try:
        return rows(path)
    except Exception:  # being created
        return []


def test_adas_scores_its_top_agent_on_every_search_item_before_picking_it(scripted, add_task):
    """The add task scores 4 of its 12 search items per evaluation; the agent on top is promoted to the
    other 8, so the pick's fitness stands on all 12."""
    recipe, _ = search("adas", add_task, scripted, evaluations=20)
    best = recipe.best_agent()
    assert best["full"] and len(best["correct"]) == 12 and best["fitness"] == 1.0
    unpromoted, _ = search("adas", add_task, scripted, evaluations=20, promote=False)
    assert len(unpromoted.best_agent()["correct"]) == 4


def test_adas_reuses_a_scored_seed_archive_instead_of_rescoring_it(scripted, add_task, tmp_path):
    from evoforge.genomes.agents.baselines import baselines
    from evoforge.genomes.agents.scored import ScoredArchiveError, save_scores

    task = load_task(add_task)
    scored = {g["name"]: {"correct": [1.0, 1.0, 1.0, 0.0], "calls": 4} for g in baselines()}
    save_scores(tmp_path / "seeds.json", list(task.value.search[:4]), "scripted", scored)
    recipe = get_recipe("adas").from_params({"seed_scores": str(tmp_path / "seeds.json")})
    recipe.model = scripted
    seen = []
    engine = Engine(task, recipe, seed=1, budget=Budget(evaluations=6), on_batch=lambda eng, b: seen.extend(b))
    engine.run(InProcessExecutor(task))
    adopted = [e for e in recipe.agents if e["id"] < 0]
    assert len(adopted) == len(baselines())  # the task's seed (chain of thought) is not kept twice
    assert not [c for c in seen if c.operator == "baseline"]  # none re-scored
    assert seen[0].operator == "promote"  # the best seed on the file is scored on the other 8 items first
    promoted = [e for e in adopted if len(e["correct"]) == 12]
    # the scripted model gets the other items wrong: each promoted seed falls, and the next one is promoted
    assert len(promoted) >= 2 and all(e["fitness"] < 0.5 for e in promoted)

    save_scores(tmp_path / "other.json", list(task.value.search[1:5]), "scripted", scored)
    with pytest.raises(ScoredArchiveError, match="other items"):
        search("adas", add_task, scripted, seed_scores=str(tmp_path / "other.json"))
