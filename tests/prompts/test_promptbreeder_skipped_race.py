"""Promptbreeder says, in its report, when its validation race did not choose the answer and why (a
run that another budget ended first, no max_metric_calls, a race too big for it)."""

from pathlib import Path

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor
from evoforge.store.run_file import RunStore


def report_of(model, tmp_path: Path, evaluations: int, **params) -> str | None:
    task = load_task("sentiment")
    recipe = get_recipe("promptbreeder").from_params({"population": 4, "minibatch": 6, "batch_size": 2, **params})
    recipe.model = model
    path = tmp_path / f"run-{evaluations}-{len(params)}-{params.get('max_metric_calls', 0)}.db"
    store = RunStore.create(path, {"recipe": "promptbreeder", "task": "sentiment"})
    Engine(task, recipe, seed=0, budget=Budget(evaluations=evaluations), store=store).run(InProcessExecutor(task, None))
    store.close()
    store = RunStore.open(path)
    try:
        return store.meta("report")
    finally:
        store.close()


def test_the_report_says_why_the_race_was_not_run(scripted_task_model, tmp_path):
    early = report_of(scripted_task_model, tmp_path, 6, max_metric_calls=240)
    assert early.startswith("validation race not run: it waits for the last ")
    assert "a run that another budget (--max-calls, --budget) ends first skips it" in early
    unset = report_of(scripted_task_model, tmp_path, 6)
    assert "which this run does not set (--set max_metric_calls=N)" in unset
    small = report_of(scripted_task_model, tmp_path, 1000, max_metric_calls=60)
    assert "more than half of max_metric_calls=60" in small
    assert not report_of(scripted_task_model, tmp_path, 1000, max_metric_calls=240)  # the race ran
