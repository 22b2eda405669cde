"""One short run with the real embedded model (SmolLM2-135M in llama.cpp): the task model inside the
evaluator and the recipe's mutation model are both real; a tiny metric-call budget keeps it short."""

import pytest

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor

pytest.importorskip("llama_cpp")


def test_promptbreeder_with_the_embedded_model(tmp_path):
    from evoforge.genomes.prompts import task as prompt_task
    from evoforge.llm import get_model

    model = get_model("embedded", cache=tmp_path / "cache.sqlite", n_threads=1)
    prompt_task.set_task_model(model)
    try:
        task = load_task("sentiment")
        recipe = get_recipe("promptbreeder").from_params(
            {"population": 2, "minibatch": 3, "batch_size": 2, "max_metric_calls": 9}
        )
        recipe.model = model
        engine = Engine(task, recipe, seed=0, budget=Budget(evaluations=100))
        result = engine.run(InProcessExecutor(task, None))
    finally:
        prompt_task.set_task_model(None)
    assert "max_metric_calls=9" in result.stop_reason and recipe.metric_calls == 9
    assert model.usage.by_tag()["metric"].calls == 9  # one task-model call per scored item
    assert recipe.operator_calls >= 1  # the model-written initial prompt
    best = recipe.best_prompt()
    assert isinstance(best["instruction"], str) and best["instruction"]
