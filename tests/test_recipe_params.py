"""Declared recipe parameters and genome kinds: a bad value or a task the recipe cannot search is
refused in one line (exit 2, no run file), and every built-in recipe keeps its declarations."""

import dataclasses
import math
import subprocess
import sys

import pytest

from evoforge.core.errors import ConfigError
from evoforge.core.kinds import KINDS, genome_kind, infer_kind
from evoforge.core.params import STATE, declared
from evoforge.core.task import load_task
from evoforge.recipes import load_builtin_recipes
from evoforge.recipes.registry import get_recipe
from evoforge.run import api


def evoforge(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def error_lines(proc):
    return [line for line in proc.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "setting,needle",
    [
        ("population=-3", "population must be an int >= 1, got '-3'"),  # negative int
        ("sigma=nan", "sigma must be a finite float >= 0, got 'nan'"),  # non-finite float
        ("crossover=1.5", "crossover must be a finite float in [0, 1], got '1.5'"),  # out of range
        ("elites=two", "elites must be an int >= 0, got 'two'"),  # wrong type
        ("population=2.5", "population must be an int >= 1, got '2.5'"),  # wrong type (a fraction)
    ],
)
def test_bad_parameter_is_one_line_exit_2_and_no_run_file(tmp_path, setting, needle):
    proc = evoforge("run", "ga", "--task", "sphere", "--set", setting, "--out", tmp_path / "r.db", "-q", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1 and needle in lines[0] and "recipe 'ga'" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert not (tmp_path / "r.db").exists()


def test_bad_choice_is_refused(tmp_path):
    proc = evoforge(
        "run",
        "map-elites",
        "--task",
        "planar-arm",
        "--set",
        "archive_kind=hex",
        "--out",
        tmp_path / "r.db",
        "-q",
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert error_lines(proc) == ["error: recipe 'map-elites': archive_kind must be one of grid, cvt, got 'hex'"]
    assert not (tmp_path / "r.db").exists()


def test_bits_recipe_on_a_vector_task_is_refused_before_the_run_file(tmp_path):
    proc = evoforge("run", "one-plus-one-ea", "--task", "sphere", "--out", tmp_path / "r.db", "-q", cwd=tmp_path)
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert len(lines) == 1 and "recipe 'one-plus-one-ea' needs a bits genome" in lines[0], proc.stderr
    assert "task 'sphere' has a vector genome" in lines[0]
    assert not (tmp_path / "r.db").exists()


def test_python_api_checks_values_and_genome_kinds(tmp_path):
    GA = get_recipe("ga")
    with pytest.raises(ConfigError, match=r"recipe 'ga': population must be an int >= 1, got -3"):
        GA(population=-3)
    with pytest.raises(ConfigError, match="sigma must be a finite float"):
        GA(sigma=math.inf)
    with pytest.raises(ConfigError, match="population must be an int"):
        GA(population="32")
    with pytest.raises(TypeError):
        GA(32)  # keyword-only
    recipe = GA()
    recipe.population = 0  # changed after construction: checked again when the run starts
    with pytest.raises(ConfigError, match="population"):
        api.evolve("sphere", recipe, budget=10, out=tmp_path / "a.db", executor="inprocess")
    with pytest.raises(ConfigError, match="needs a tree genome"):
        api.evolve("sphere", "gp-mate-choice", budget=10, out=tmp_path / "b.db", executor="inprocess")
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()
    assert GA.from_params({"population": "8", "sigma": 1}).population == 8  # --set strings and config numbers


def test_list_recipe_shows_parameters(tmp_path):
    proc = evoforge("list", "ga", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "truncation selection" in text and "vector, bits" in text
    row = next(line for line in proc.stdout.splitlines() if "population" in line)
    assert "32" in row and ">= 1" in row and "children per generation" in row
    unknown = evoforge("list", "no-such-recipe", cwd=tmp_path)
    assert unknown.returncode == 2 and len(error_lines(unknown)) == 1 and "unknown recipe" in unknown.stderr
    everything = evoforge("list", cwd=tmp_path)
    assert everything.returncode == 0 and "one-plus-one-ea" in everything.stdout and "onemax" in everything.stdout


BUILTIN = sorted(n for n, cls in load_builtin_recipes().items() if cls.__module__.startswith("evoforge.recipes."))


def test_builtin_recipes_are_found():
    assert len(BUILTIN) > 20 and {"ga", "map-elites", "evolve", "promptbreeder"} <= set(BUILTIN)


@pytest.mark.parametrize("name", BUILTIN)  # recipes other tests register (test_engine, the README's) are not ours
def test_every_recipe_declares_its_parameters_and_genome_kinds(name):
    cls = get_recipe(name)
    params = declared(cls)
    for f in dataclasses.fields(cls):
        if f.init:
            assert f.name in params, f"{name}.{f.name} is not declared with param()"
            assert len(params[f.name].spec.help) > 5, f"{name}.{f.name} has no help"
            assert f.kw_only, f"{name}.{f.name} is not keyword-only"
        else:
            assert f.metadata.get(STATE) or f.name in ("model",), f"{name}.{f.name} is not declared with state()"
    assert cls.genomes and set(cls.genomes) <= set(KINDS), name
    cls()  # the defaults pass their own checks


@pytest.mark.parametrize(
    "task,kind",
    [
        ("sphere", "vector"),
        ("onemax", "bits"),
        ("symbolic-regression", "tree"),
        ("binpack", "program"),
        ("sums", "prompt"),
        ("meeting-scheduling", "solution"),
        ("cartpole", "vector"),
    ],
)
def test_builtin_task_genome_kinds(task, kind):
    assert genome_kind(load_task(task)) == kind


def test_kind_inference_from_seed():
    assert infer_kind([0, 1, 1]) == "bits" and infer_kind([True, False]) == "bits"
    assert infer_kind([0.0, 1.0]) == "vector" and infer_kind([2, 3]) == "vector"
    assert infer_kind(["add", "x", 1.0]) == "tree"
    assert infer_kind("def f(x):\n    return x\n") == "program" and infer_kind("meet at 10:00") == "solution"
    assert infer_kind({"instruction": "Add.", "demos": []}) == "prompt"
    assert infer_kind(7) == "unknown"


def test_a_field_that_shadows_a_hook_is_refused_when_the_class_is_defined():
    """A state named ``archive`` would hide the ``archive()`` hook: readers would silently get no view."""
    from dataclasses import dataclass

    from evoforge.core.recipe import Recipe, state

    with pytest.raises(TypeError, match="field archive shadows the Recipe hook"):

        @dataclass(kw_only=True)
        class Shadowing(Recipe):
            archive: list = state(factory=list)


def test_a_checkpoint_with_a_renamed_field_restores_it_under_the_new_name():
    """adas kept its agents in a field named ``archive`` before the hook check: old checkpoints resume."""
    from evoforge.recipes.registry import get_recipe

    recipe = get_recipe("adas").from_params({})
    old_state = {**recipe.__getstate__(), "archive": [{"id": 3, "genome": {}, "fitness": 0.5}]}
    old_state.pop("agents")
    restored = type(recipe).__new__(type(recipe))
    restored.__setstate__(old_state)
    assert restored.agents == [{"id": 3, "genome": {}, "fitness": 0.5}] and callable(restored.archive)
