"""`show` on a Promptbreeder run prints the prompt its validation race chose with its validation score
(not the best minibatch score) and the seed measured on the same items."""

from pathlib import Path

from rich.console import Console

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.genomes.prompts.evaluation import prompt_key
from evoforge.readers.report import show_run
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor
from evoforge.store.run_file import RunStore


def test_show_prints_the_validated_prompt_and_the_seed_on_the_same_items(scripted_task_model, tmp_path: Path):
    task = load_task("sentiment")
    recipe = get_recipe("promptbreeder").from_params(
        {"population": 4, "minibatch": 6, "batch_size": 2, "max_metric_calls": 240}
    )
    recipe.model = scripted_task_model
    store = RunStore.create(tmp_path / "run.db", {"recipe": "promptbreeder", "task": "sentiment"})
    budget = Budget(evaluations=1000)
    engine = Engine(task, recipe, seed=0, budget=budget, store=store)
    engine.run(InProcessExecutor(task, None))
    store.close()
    recipe = engine.recipe
    chosen = recipe.best_prompt()
    assert recipe.validated and prompt_key(chosen) in recipe.val_scores
    store = RunStore.open(tmp_path / "run.db")
    console = Console(record=True, width=300)
    try:
        answer = store.meta("answer")
        show_run(store, console)
    finally:
        store.close()
    assert answer["genome"] == chosen and answer["score"] == recipe.val_scores[prompt_key(chosen)]
    text = console.export_text()
    race = f"on the validation race's {len(recipe.val_items)} fixed train items"
    assert f"answer (prompt chosen by the validation race): score {answer['score']:.6g} {race}" in text
    assert chosen["instruction"][:60] in text
    seed = recipe.val_scores.get(recipe.seed_key, recipe.val_half.get(recipe.seed_key))
    assert seed is not None and f"seed score {seed:.6g} (" in text  # the seed raced on the same items
