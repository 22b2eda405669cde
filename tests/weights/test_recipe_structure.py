"""The self-training family's shape: every recipe is one class below ``SelfTraining`` (itself directly
below ``Recipe``) and composes its mechanisms instead of inheriting them, no recipe module imports
another, and every weights task is a typed value of the contract the recipes read."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe
from evoforge.core.task import load_task
from evoforge.genomes.weights.task import EpisodeTask, WeightsTask
from evoforge.recipes.registry import get_recipe, load_builtin_recipes
from evoforge.recipes.self_training._base import SelfTraining

FAMILY = Path(importlib.import_module("evoforge.recipes.self_training").__file__).parent
TASKS = Path(importlib.import_module("evoforge.tasks.weights").__file__).parent


def test_every_recipe_is_one_class_below_the_base():
    recipes = {n: c for n, c in load_builtin_recipes().items() if ".self_training." in c.__module__}
    assert len(recipes) == 24
    assert SelfTraining.__mro__[1] is Recipe
    for name, cls in recipes.items():
        assert cls.__mro__[1:] == SelfTraining.__mro__, name


def test_no_recipe_module_imports_another():
    recipes = {m.name for m in pkgutil.iter_modules([str(FAMILY)]) if not m.name.startswith("_")}
    for path in FAMILY.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                names = [node.module] if node.module else [a.name for a in node.names]
                assert not set(names) & recipes, (path.name, names)


def test_weights_tasks_are_typed_values_without_global_state():
    for info in pkgutil.iter_modules([str(TASKS)]):
        if info.name.startswith("_"):
            continue
        source = (TASKS / f"{info.name}.py").read_text()
        assert "global " not in source and "def configure" not in source, info.name
        value = load_task(info.name.replace("_", "-")).value
        assert isinstance(value, (WeightsTask, EpisodeTask)), info.name
        assert value.kind == "weights" and value.description


def test_options_are_fields_and_derived_values_follow_them():
    default = load_task("addition", {"heldout": 5}).value
    longer = load_task("addition", {"digits": "3", "rationale": "false", "heldout": 5}).value
    assert (default.digits, default.max_new_tokens) == (2, 34) and (longer.digits, longer.rationale) == (3, False)
    assert longer.max_new_tokens == 12 and all(len(q.split("+")[0]) == 3 for q in longer.heldout_problems())
    assert default.offers_easier and not load_task("reversed-addition").value.offers_easier


@pytest.mark.parametrize(("recipe", "task", "wanted"), [("star", "agent-weights", "WeightsTask"),
                                                        ("agent-evol", "addition", "EpisodeTask")])  # fmt: skip
def test_a_recipe_refuses_a_task_of_another_contract(recipe, task, wanted):
    with pytest.raises(ConfigError, match=wanted):
        get_recipe(recipe)().check_task(load_task(task))
