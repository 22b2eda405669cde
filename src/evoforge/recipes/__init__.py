"""Recipes: short compositions of operators, selection and archives on the one engine.

A recipe is a ``@dataclass(kw_only=True)`` whose :func:`~evoforge.recipe.param` fields are its
parameters (settable with ``--set key=value``) and which implements :class:`evoforge.recipe.Recipe`'s
``setup`` / ``ask`` / ``tell``. Register it with ``@register("name")`` in a module of this package
(modules whose name starts with ``_`` are helpers, not recipes) or in any imported module.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..recipe import REGISTRY, Recipe, register


def module_names() -> list[str]:
    """The recipe modules of this package (found on disk; ``map_elites`` for ``map-elites``)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load_builtin_recipes() -> dict[str, type[Recipe]]:
    for name in module_names():
        importlib.import_module(f"{__name__}.{name}")
    return dict(sorted(REGISTRY.items()))


__all__ = ["REGISTRY", "Recipe", "load_builtin_recipes", "module_names", "register"]
