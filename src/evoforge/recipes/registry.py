"""Recipes by name, for the front ends (CLI, Python API, config files). The recipe base class
(:mod:`evoforge.core.recipe`) holds the registry that ``@register`` fills; this module knows where the
built-in recipes live (:mod:`evoforge.recipes`) and imports them on demand."""

from __future__ import annotations

import importlib

from evoforge.core.errors import ConfigError
from evoforge.core.recipe import REGISTRY, Recipe
from evoforge.core.suggest import did_you_mean

from . import load_builtin_recipes, module_names

__all__ = ["get_recipe", "load_builtin_recipes"]


def get_recipe(name: str) -> type[Recipe]:
    """The recipe class registered as ``name``. Imports only its module when the name says which
    (``map-elites`` -> ``recipes/numeric/map_elites.py``), so a run does not pay for every recipe's imports."""
    module = module_names().get(name.replace("-", "_"))
    if name not in REGISTRY and module is not None:
        importlib.import_module(module)
    if name in REGISTRY:
        return REGISTRY[name]
    recipes = load_builtin_recipes()
    if name not in recipes:
        hint = did_you_mean(name, recipes) or " (`evoforge list` shows them all)"
        raise ConfigError(f"unknown recipe {name!r}{hint}")
    return recipes[name]
