"""Recipes: short compositions of operators, selection and archives on the one engine.

A recipe is a dataclass whose fields are its parameters (settable with ``--set key=value``) and which
implements :class:`evoforge.recipe.Recipe`'s ``setup`` / ``ask`` / ``tell``. Register it with
``@register("name")`` in a module listed in ``_MODULES`` (or any imported module).
"""
from __future__ import annotations

import importlib

from ..recipe import REGISTRY, Recipe, register

_MODULES = ["ga", "regularized_evolution", "random_search",
            # numeric, neuro- and quality-diversity recipes (issue 7)
            "cma_es", "openai_es", "novelty_search", "map_elites", "diffusion_evolution", "one_plus_one_ea",
            "one_comma_lambda_ea", "cooperative_coevolution", "deep_ga", "gp_mate_choice",
            # program evolution with a model (issue 4)
            "evolve", "funsearch", "eoh", "llm_guided_evolution", "stop",
            # prompt and solution evolution (issue 5)
            "promptbreeder", "mind_evolution", "co_scientist", "auto_evolve",
            "iterative_deepening"]
_MODULES += [  # self-training of weights (issue 6)
    "star", "rest_em", "scpo", "sft_gold", "self_rewarding", "meta_rewarding", "b_star", "ladder", "easy_to_hard"]


def load_builtin_recipes() -> dict[str, type[Recipe]]:
    for name in _MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return dict(sorted(REGISTRY.items()))


__all__ = ["REGISTRY", "Recipe", "register", "load_builtin_recipes"]
