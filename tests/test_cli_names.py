"""Names on the command line: a mistyped recipe or task gets "did you mean" in one line (exit 2), not
the whole list; ``evoforge list TASK`` shows the recipes that fit it; ``evoforge list`` shows genome kinds."""

import os
import subprocess
import sys

import pytest

from evoforge.core.suggest import did_you_mean


def evoforge(*args):
    return subprocess.run([sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True)


def test_did_you_mean_names_the_nearest():
    assert did_you_mean("evolv", ["ga", "evolve", "cma-es"]) == "; did you mean 'evolve'?"
    assert did_you_mean("Map_Elites", ["map-elites", "ga"]) == "; did you mean 'map-elites'?"
    assert did_you_mean("zzzz", ["ga", "evolve"]) == ""


@pytest.mark.parametrize(
    "args, needle",
    [
        (["run", "evolv", "--task", "sphere"], "error: unknown recipe 'evolv'; did you mean 'evolve'"),
        (["run", "ga", "--task", "rastrign"], "; did you mean 'rastrigin'?"),
        (["list", "rastrign"], "error: unknown recipe or task 'rastrign'; did you mean 'rastrigin'?"),
    ],
)
def test_a_typo_gets_did_you_mean_in_one_line(args, needle):
    done = evoforge(*args)
    assert done.returncode == 2 and needle in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 160, done.stderr  # not every recipe or task


def test_list_task_shows_the_recipes_that_fit_it():
    done = evoforge("list", "rastrigin")
    assert done.returncode == 0, done.stderr
    assert "recipes for task rastrigin (vector genome)" in done.stdout
    names = {line.split("│")[1].strip() for line in done.stdout.splitlines() if line.count("│") > 2}
    assert {"ga", "cma-es", "map-elites"} <= names and "evolve" not in names and "promptbreeder" not in names


def test_list_shows_genome_kinds():
    done = subprocess.run(
        [sys.executable, "-m", "evoforge", "list"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}
    )
    assert done.returncode == 0, done.stderr
    cells = [x.split("│") for x in done.stdout.splitlines()]
    rows = {c[1].strip(): c[2].strip() for c in cells if len(c) > 3}
    assert rows["evolve"] == "program" and rows["promptbreeder"] == "prompt" and rows["ga"] == "vector, bits"
    assert rows["rastrigin"] == "vector"


def test_list_recipe_says_which_parameter_follows_concurrency():
    done = subprocess.run(
        [sys.executable, "-m", "evoforge", "list", "evolve"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("│ calls_per_batch"))
    assert "(follows --concurrency when not set)" in line
