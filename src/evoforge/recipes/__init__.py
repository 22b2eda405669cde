"""Recipes: short compositions of operators, selection and archives on the one engine, one folder per
family (``numeric``, ``programs``, ``prompts``, ``agent_designs``, ``agent_memory``, ``social``,
``self_training``). Families never import each other; a family's shared parts live beside its recipes
in modules whose name starts with ``_`` (helpers, not recipes).

A recipe is a ``@dataclass(kw_only=True)`` whose :func:`~evoforge.core.recipe.param` fields are its
parameters (settable with ``--set key=value``) and which implements :class:`evoforge.core.recipe.Recipe`'s
``setup`` / ``ask`` / ``tell``. Register it with ``@register("name")`` in a module of a family folder
or in any imported module.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from evoforge.core.recipe import REGISTRY, Recipe, register


def families() -> list[str]:
    """The family folders of this package."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def module_names() -> dict[str, str]:
    """The recipe modules, found on disk without importing one: ``map_elites`` (for ``map-elites``) ->
    ``evoforge.recipes.numeric.map_elites``."""
    found = {}
    for family in families():
        for info in pkgutil.iter_modules([os.path.join(__path__[0], family)]):
            if not info.name.startswith("_"):
                found[info.name] = f"{__name__}.{family}.{info.name}"
    return dict(sorted(found.items()))


def load_builtin_recipes() -> dict[str, type[Recipe]]:
    for module in module_names().values():
        importlib.import_module(module)
    return dict(sorted(REGISTRY.items()))


__all__ = ["REGISTRY", "Recipe", "families", "load_builtin_recipes", "module_names", "register"]
