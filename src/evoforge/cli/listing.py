"""``evoforge list``: recipes and built-in tasks with their genome kinds; ``list RECIPE``: its parameters;
``list TASK``: the recipes that work on that task's genome kind; a mistyped name: "did you mean"."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from evoforge.core.errors import ConfigError, TaskError
from evoforge.core.recipe import Recipe
from evoforge.core.suggest import did_you_mean
from evoforge.core.text import printable

FOLDER_KINDS = {  # tasks/<folder>/: the kind of a built-in task whose value does not declare one
    "vectors": "vector",
    "bits": "bits",
    "trees": "tree",
    "programs": "program",
    "prompts": "prompt",
    "weights": "weights",
    "agents": "agent",
    "games": "game",
    "soups": "soup",
    "samples": "samples",
    "boolnets": "boolnet",
    "protocells": "protocell",
    "quines": "quine",
}


def recipe_kinds(cls: type[Recipe]) -> str:
    return ", ".join(cls.genomes) or "any"


def builtin_kind(module_name: str) -> str:
    """A built-in task's genome kind: the one its value's class declares, else its folder's."""
    from evoforge.core.task_value import TaskValue

    try:
        value = getattr(importlib.import_module(module_name), "TASK", None)
    except TaskError:  # a task whose dependency is missing
        value = None
    if isinstance(value, TaskValue) and type(value).kind:
        return type(value).kind
    return FOLDER_KINDS.get(module_name.split(".")[-2], "?")


def task_kind(ref: str) -> str | None:
    """The genome kind of a built-in task name or a task file (None: neither)."""
    from evoforge.core.task import builtin_modules

    module = builtin_modules().get(ref.replace("_", "-"))
    if module is not None:
        return builtin_kind(module)
    if ref.endswith(".py") or Path(ref).is_file():
        from evoforge.core.kinds import genome_kind
        from evoforge.core.task import load_task

        return genome_kind(load_task(ref))
    return None


def fits(cls: type[Recipe], kind: str) -> bool:
    return not cls.genomes or kind in cls.genomes


def overview() -> list[Any]:
    """The two tables of ``evoforge list``: recipes (with the genome kinds they work on) and tasks."""
    from rich.table import Table
    from rich.text import Text

    from evoforge.core.task import builtin_modules, builtin_tasks
    from evoforge.recipes import load_builtin_recipes

    recipes = Table(title="recipes", show_header=True, header_style="bold")
    for column in ("name", "genomes", "what it does"):
        recipes.add_column(column)
    for name, cls in load_builtin_recipes().items():
        recipes.add_row(Text(printable(name)), Text(recipe_kinds(cls)), Text(printable(cls.summary)))
    tasks = Table(title="tasks", show_header=True, header_style="bold")
    for column in ("name", "genome", "what it is"):
        tasks.add_column(column)
    modules = builtin_modules()
    for name, description in builtin_tasks().items():
        tasks.add_row(Text(printable(name)), Text(builtin_kind(modules[name])), Text(printable(description)))
    return [recipes, tasks]


def recipes_for(ref: str, kind: str) -> list[Any]:
    """The recipes that work on a task of genome ``kind``, and how to run one."""
    from rich.table import Table
    from rich.text import Text

    from evoforge.recipes import load_builtin_recipes

    title = printable(f"recipes for task {ref} ({kind} genome)")
    table = Table(title=title, show_header=True, header_style="bold", title_justify="left")
    for column in ("name", "genomes", "what it does"):
        table.add_column(column)
    for name, cls in load_builtin_recipes().items():
        if fits(cls, kind):
            table.add_row(Text(printable(name)), Text(recipe_kinds(cls)), Text(printable(cls.summary)))
    return [table, Text(printable(f"evoforge run RECIPE --task {ref}"), style="dim")]


def describe(name: str) -> list[Any]:
    """What ``evoforge list NAME`` prints: a recipe's parameters or a task's recipes; ConfigError (one
    line, with the nearest names) when NAME is neither."""
    from evoforge.core.recipe import REGISTRY
    from evoforge.core.task import builtin_modules
    from evoforge.recipes import module_names
    from evoforge.recipes.registry import get_recipe

    from .recipe_help import parameter_table

    if name in REGISTRY or name.replace("-", "_") in module_names():
        return [parameter_table(get_recipe(name))]
    kind = task_kind(name)
    if kind is not None:
        return recipes_for(name, kind)
    known = [*module_names(), *REGISTRY, *builtin_modules()]
    hint = did_you_mean(name, [k.replace("_", "-") for k in known]) or " (`evoforge list` shows them all)"
    raise ConfigError(f"unknown recipe or task {name!r}{hint}")
