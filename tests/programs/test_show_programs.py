"""`show` on a program-evolution run driven by a scripted model: the seed's score and the model answers
discarded before evaluation (unusable, duplicates), by reason."""

from pathlib import Path

import pytest
from program_helpers import Answer
from rich.console import Console

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.readers.report import show_run
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor
from evoforge.store.run_file import RunStore

GOOD = "```python\ndef priority(item, bins):\n    gap = bins - item\n    return -gap + 3.0 * (gap == 0)\n```"
PROSE = "I think you should use a better heuristic."


class Scripted:
    def __init__(self, answers):
        self.answers, self.n = answers, 0

    def chat(self, messages, n=1, temperature=0.8, max_tokens=512, stop=None, seed=None, tag=""):
        self.n += 1
        return [Answer(self.answers[(self.n - 1) % len(self.answers)])]


@pytest.mark.parametrize("name", ["evolve", "funsearch"])
def test_show_lists_seed_score_and_discarded_model_answers(tmp_path: Path, name):
    task = load_task("binpack", {"instances": 2, "items": 200})
    recipe = get_recipe(name).from_params({"near_duplicate": 0} if name == "evolve" else {})
    recipe.model = Scripted([GOOD, PROSE, GOOD])  # the second GOOD is an AST duplicate of the first
    store = RunStore.create(tmp_path / "run.db", {"recipe": name, "task": "binpack"})
    engine = Engine(task, recipe, seed=1, budget=Budget(evaluations=6), store=store)
    engine.run(InProcessExecutor(task, timeout=60))
    store.close()
    seed = task.evaluate(task.seed)["score"]
    store = RunStore.open(tmp_path / "run.db")
    console = Console(record=True, width=200)
    try:
        show_run(store, console)
        assert store.meta("discarded") == dict(engine.recipe.ops.unusable)
    finally:
        store.close()
    text = console.export_text()
    assert f"seed score {seed:.6g} (candidate 0)" in text
    unusable = engine.recipe.ops.unusable
    assert unusable and f"discarded before evaluation: {sum(unusable.values())} proposals" in text
    assert all(reason in text for reason in unusable)


def test_run_summary_says_the_improvement_in_the_tasks_own_words(tmp_path: Path):
    """The end-of-run summary: score change from the seed, and seed and best in the task's own units."""
    from evoforge.readers.report import print_improvement

    task = load_task("tsp", {})
    recipe = get_recipe("evolve").from_params({"near_duplicate": 0, "operators": "line", "tune": False})
    recipe.model = Scripted(["```python\ncost = cost - 0.3 * distances[destination, unvisited]\n```"])
    store = RunStore.create(tmp_path / "run.db", {"recipe": "evolve", "task": "tsp"})
    engine = Engine(task, recipe, seed=0, budget=Budget(evaluations=3), store=store)
    engine.run(InProcessExecutor(task, timeout=60))
    store.close()
    store = RunStore.open(tmp_path / "run.db")
    console = Console(record=True, width=300)
    try:
        print_improvement(store, console)
        best = store.best()
    finally:
        store.close()
    text = console.export_text()
    seed = task.evaluate(task.seed)
    assert best.score > seed["score"] and f"improvement {best.score - seed['score']:+.4g}" in text
    assert f"seed: tours are {-seed['score']:.2f}% longer than the reference" in text
    assert f"best: tours are {-best.score:.2f}% longer than the reference" in text
