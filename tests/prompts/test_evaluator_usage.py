"""Model calls made inside task evaluators reach the run's usage meter (tag 'evaluator') exactly once."""

from prompt_helpers import ScriptedModel

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.genomes.prompts import task as prompt_task
from evoforge.llm.account import ModelAccount
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


def run(recipe_model, task_model, metric_calls=36):
    prompt_task.set_task_model(task_model)
    try:
        task = load_task("sentiment")
        recipe = get_recipe("promptbreeder").from_params(
            {"population": 4, "minibatch": 6, "batch_size": 2, "max_metric_calls": metric_calls}
        )
        budget = Budget(evaluations=1000)
        engine = Engine(
            task, recipe, seed=0, budget=budget, model=recipe_model, spend=ModelAccount(recipe_model, budget)
        )
        engine.run(InProcessExecutor(task, None))
        return recipe
    finally:
        prompt_task.set_task_model(None)


def test_evaluator_calls_are_counted_in_the_run_meter():
    optimizer, evaluator = ScriptedModel(), ScriptedModel()
    recipe = run(optimizer, evaluator)
    tags = optimizer.usage.by_tag()
    task_side = evaluator.usage.total
    assert task_side.calls > 0 and recipe.metric_calls > 0
    assert tags["evaluator"].calls == task_side.calls
    assert tags["evaluator"].prompt_tokens == task_side.prompt_tokens
    assert optimizer.usage.total.calls == task_side.calls + sum(u.calls for t, u in tags.items() if t != "evaluator")


def test_a_shared_model_is_not_counted_twice():
    shared = ScriptedModel()
    run(shared, shared)
    tags = shared.usage.by_tag()
    assert "evaluator" not in tags and tags["metric"].calls > 0
