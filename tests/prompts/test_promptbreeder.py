import pickle

import pytest

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


def _run(scripted, selection="tournament", max_metric_calls=120, seed=0):
    task = load_task("sentiment")
    recipe = get_recipe("promptbreeder").from_params(
        {"population": 4, "minibatch": 6, "batch_size": 2, "selection": selection, "max_metric_calls": max_metric_calls}
    )
    recipe.model = scripted
    budget = Budget(evaluations=1000)  # the metric-call budget is the recipe's stop_reason
    engine = Engine(task, recipe, seed=seed, budget=budget)
    result = engine.run(InProcessExecutor(task, None))
    return engine, result


@pytest.mark.parametrize("selection", ["tournament", "pareto"])
def test_promptbreeder_improves_and_respects_metric_budget(scripted_task_model, selection):
    engine, result = _run(scripted_task_model, selection)
    recipe = engine.recipe
    assert "max_metric_calls=120" in result.stop_reason
    assert recipe.metric_calls == 120
    best = recipe.best_prompt()
    assert best is not None and set(best) == {"instruction", "demos"}
    # the seed instruction scores 0 with the scripted model; evolved prompts reach it
    assert result.best.score > 0.5
    assert recipe.operator_calls > 0
    pickle.loads(pickle.dumps(recipe))  # checkpointable without the model


def test_promptbreeder_is_reproducible(scripted_task_model):
    from prompt_helpers import ScriptedModel

    from evoforge.genomes.prompts import task as prompt_task

    e1, r1 = _run(scripted_task_model, max_metric_calls=60, seed=3)
    fresh = ScriptedModel()  # the scripted model counts its calls: start the second run from zero too
    prompt_task.set_task_model(fresh)
    e2, r2 = _run(fresh, max_metric_calls=60, seed=3)
    assert e1.recipe.best_prompt() == e2.recipe.best_prompt()
    assert r1.best.genome == r2.best.genome


def test_unknown_selection_is_refused():
    with pytest.raises(ConfigError, match="selection must be one of tournament, pareto, got 'best'"):
        get_recipe("promptbreeder").from_params({"selection": "best"})


def test_validation_stage_rescored_top_prompts_and_seed(scripted_task_model):
    engine, result = _run(scripted_task_model, max_metric_calls=240)
    recipe = engine.recipe
    assert recipe.validated and recipe.seed_key in recipe.val_half  # the seed runs in the first stage
    assert len(recipe.val_half) == 6 and len(recipe.val_scores) == 2 and recipe.metric_calls <= 240
    assert set(recipe.val_scores) <= set(recipe.val_half)
    leaders = sorted(recipe.val_half.values(), reverse=True)[:2]
    assert sorted(recipe.val_half[k] for k in recipe.val_scores) == sorted(leaders)  # finalists led stage 1
    best = recipe.best_prompt()
    from evoforge.genomes.prompts.evaluation import prompt_key

    assert recipe.val_scores[prompt_key(best)] == max(recipe.val_scores.values())
    assert "max_metric_calls=240" in result.stop_reason
