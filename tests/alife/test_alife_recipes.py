"""The recipes boolean-networks, gard and nn-quine through the API and the CLI: a tiny run of each stores
one record per batch (the first: the untrained system), scores it through its task, reports and plots it,
and resumes to the same records after an interruption (kill -9 for boolean-networks); bad input is one
line and no run file; `evoforge list` shows the recipes and their tasks."""

import os
import subprocess
import sys

import pytest
from alife_helpers import cli, kill_9_after, records

from evoforge import RunStore
from evoforge.core.errors import ConfigError
from evoforge.readers.plot import plot_run
from evoforge.run.api import evolve, resume

TINY = {
    "boolean-networks": ("noisy-clock", {"population": 24, "generations": 6, "every": 2, "nodes": 8}),
    "gard": ("gard", {"assemblies": 8, "size": 20, "generations": 3, "every": 1}),
    "nn-quine": ("quine-xor", {"embed": 4, "hidden": 4, "steps": 30, "every": 10, "aux": 1.0}),
}
REPORTS = {"boolean-networks": "the fittest network as the task scores it", "gard": "focal lineage",
           "nn-quine": "copies within 0.5"}  # fmt: skip


def run(tmp_path, recipe, name, **more):
    task, params = TINY[recipe]
    return evolve(task, recipe, budget=None, seed=2, out=tmp_path / name, executor="inprocess",
                  recipe_params={**params, **more.pop("params", {})}, **more)  # fmt: skip


@pytest.mark.parametrize("recipe", list(TINY))
def test_a_tiny_run_stores_scored_records_and_resumes_to_them(tmp_path, recipe):
    result = run(tmp_path, recipe, "whole.db")
    rows = records(tmp_path / "whole.db")
    assert len(rows) == 4 and rows[0][1] in ("seed", "random") and all(r[4] for r in rows)
    assert result.stop_reason.endswith(" run") and all(isinstance(r[2], float) for r in rows)
    store = RunStore.open(tmp_path / "whole.db")
    try:
        assert REPORTS[recipe] in store.meta("report")
        assert plot_run(store, tmp_path / "run.png").stat().st_size > 10_000  # with the recipe's own panel
    finally:
        store.close()

    class Stop(Exception):
        pass

    def stop(engine, batch):
        if len(engine.recipe.history) == 2:
            raise Stop

    with pytest.raises(Stop):
        run(tmp_path, recipe, "cut.db", on_batch=stop, checkpoint_every=0)
    assert len(records(tmp_path / "cut.db")) == 2
    assert resume(tmp_path / "cut.db").stop_reason == result.stop_reason
    assert records(tmp_path / "cut.db") == rows


def test_evolving_under_noise_beats_the_control_at_noise(tmp_path):
    params = {"population": 60, "generations": 100, "every": 100, "nodes": 12}
    noisy = run(tmp_path, "boolean-networks", "noisy.db", params=params)
    control = run(tmp_path, "boolean-networks", "control.db", params={**params, "noise": 0.0})
    evolved, plain = records(tmp_path / "noisy.db")[-1][4], records(tmp_path / "control.db")[-1][4]
    assert noisy.best.score > control.best.score + 0.1  # fitness at the task's noise 0.02
    assert evolved["fitness_clean"] == 1.0 and evolved["fitness_high"] > plain["fitness_high"] + 0.1
    assert evolved["heal"] == 1.0 > plain["heal"]


def test_a_killed_boolean_networks_run_resumes_to_the_same_records(tmp_path):
    common = ["--task", "noisy-clock", "--seed", 4, "--checkpoint-every", 0, "-q", "--executor", "inprocess",
              "--set", "population=8", "--set", "nodes=6", "--set", "generations=120", "--set", "every=2"]  # fmt: skip
    assert cli("run", "boolean-networks", *common, "--out", tmp_path / "reference.db").wait(timeout=120) == 0
    killed = tmp_path / "killed.db"
    kill_9_after(10, "boolean-networks", *common, "--out", killed)
    so_far, whole = records(killed), records(tmp_path / "reference.db")
    assert 0 < len(so_far) < len(whole) and so_far == whole[: len(so_far)]
    assert cli("resume", killed, "-q").wait(timeout=120) == 0
    assert records(killed) == whole and len(whole) == 61


@pytest.mark.parametrize(("args", "needle"), [
    (["boolean-networks", "--task", "noisy-clock", "--set", "noise=0.7"], "noise must be a finite float in [0, 0.5]"),
    (["boolean-networks", "--task", "noisy-clock", "--set", "task.target=01,1"], "target must be comma-separated"),
    (["boolean-networks", "--task", "noisy-clock", "--set", "elite=300"], "elite (300) must be < population (200)"),
    (["boolean-networks", "--task", "gard"], "recipe 'boolean-networks' needs a boolnet genome"),
    (["gard", "--task", "gard", "--set", "assemblies=2"], "assemblies must be an int >= 3, got '2'"),
    (["gard", "--task", "gard", "--set", "task.sigma=-1"], "sigma must be finite and >= 0, got -1.0"),
    (["nn-quine", "--task", "quine-xor", "--set", "replicate=0"], "replicate and aux cannot both be 0"),
    (["nn-quine", "--task", "quine-xor", "--set", "task.spread=0"], "spread must be finite and > 0"),
])  # fmt: skip
def test_bad_input_is_one_line_and_no_run_file(tmp_path, args, needle):
    done = subprocess.run([sys.executable, "-m", "evoforge", "run", *args, "--out", tmp_path / "x.db"],
                          capture_output=True, text=True)  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and needle in lines[0], done.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_recipe_refuses_another_kinds_task_through_the_api():
    with pytest.raises(ConfigError, match="needs a quine genome"):
        evolve("noisy-clock", "nn-quine", budget=None)


def test_list_shows_the_recipes_and_their_tasks():
    done = subprocess.run([sys.executable, "-m", "evoforge", "list"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "250"})  # fmt: skip
    cells = {tuple(c.strip() for c in line.split("│")[1:3]) for line in done.stdout.splitlines() if "│" in line}
    for name, kind in (("boolean-networks", "boolnet"), ("noisy-clock", "boolnet"), ("gard", "protocell"),
                       ("nn-quine", "quine"), ("quine-xor", "quine")):  # fmt: skip
        assert (name, kind) in cells, done.stdout
