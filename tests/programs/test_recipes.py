"""Program-evolution recipes on the engine, driven by a scripted model defined here (unit tests only)."""

import pickle

import pytest
from program_helpers import Answer as _Answer

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


class ScriptedModel:
    """Answers in turn from a list of texts (cycling); records prompts and seeds."""

    def __init__(self, answers):
        self.answers, self.prompts, self.seeds, self.tags = list(answers), [], [], []

    def chat(self, messages, n=1, temperature=0.8, max_tokens=512, stop=None, seed=None, tag=""):
        self.prompts.append(messages[-1]["content"])
        self.seeds.append(seed)
        self.tags.append(tag)
        return [_Answer(self.answers[(len(self.prompts) - 1) % len(self.answers)])]


GOOD = (
    "```python\ndef priority(item, bins):\n    gap = bins - item\n"
    "    return -gap + 3.0 * (gap == 0) - 0.5 * (gap > 0) * (gap < {k})\n```"
)
BROKEN = "```python\ndef priority(item, bins):\n    return undefined_name * bins\n```"
DIFF = (
    "<<<<<<< SEARCH\n    return -gap  # best fit: prefer the bin that leaves the least room\n=======\n"
    "    return -gap + 2.0 * (gap == 0)\n>>>>>>> REPLACE"
)
PROSE = "I think you should use a better heuristic."


def run(recipe_name, answers, evaluations=8, on_batch=None, **params):
    task = load_task("binpack", {"instances": 2, "items": 300})
    if recipe_name == "evolve":
        params.setdefault("near_duplicate", 0)  # no embedding model load in unit tests (tested on its own)
    recipe = get_recipe(recipe_name).from_params(params)
    model = ScriptedModel(answers)
    recipe.model = model
    engine = Engine(task, recipe, seed=1, budget=Budget(evaluations=evaluations), on_batch=on_batch)
    result = engine.run(InProcessExecutor(task, timeout=60))
    return engine, result, model


def seed_score():
    task = load_task("binpack", {"instances": 2, "items": 300})
    return task.evaluate(task.seed)["score"]


@pytest.mark.parametrize("name", ["evolve", "funsearch", "eoh", "llm-guided-evolution"])
def test_recipe_improves_over_seed_and_survives_bad_answers(name):
    answers = [GOOD.format(k=k) for k in (2, 3, 4, 5, 6, 7, 8, 9)]
    answers = [a for pair in zip(answers, [BROKEN, PROSE] * 4) for a in pair]
    seen = []
    engine, result, model = run(name, answers + [DIFF], evaluations=8, on_batch=lambda e, b: seen.extend(b))
    assert result.best is not None and result.best.score >= seed_score()
    children = [c for c in seen if c.operator != "seed" and c.status != "rejected"]
    assert sum(c.ok for c in children) >= 2  # model answers became evaluated programs
    failed = [c for c in children if not c.ok]
    assert all(c.reason for c in failed) and any("NameError" in c.reason for c in failed)
    assert result.evaluations == 8
    assert model.prompts and all(len(p) < 2500 for p in model.prompts)  # short prompts
    assert len(set(model.seeds)) == len(model.seeds)  # one seed per call, drawn from the run's rng
    pickle.dumps(engine.recipe)  # checkpointable (the model is not pickled)
    assert "model" not in engine.recipe.__getstate__()


def test_evolve_diff_fallback_repair_and_feedback():
    engine, _, model = run(
        "evolve", [DIFF, PROSE, BROKEN, GOOD.format(k=4)], evaluations=7, batch_size=1, operators="diff,rewrite"
    )
    assert "diff" in model.tags and "repair" in model.tags
    repair_prompts = [p for p, t in zip(model.prompts, model.tags) if t == "repair"]
    assert any("undefined_name" in p and "NameError" in p for p in repair_prompts)  # the error fed back
    assert any("more bins than the lower bound" in p for p in model.prompts)  # evaluator feedback fed back
    assert engine.recipe.ops.unusable  # unusable answers are counted with their reason


def test_ast_duplicates_are_not_evaluated():
    same = "```python\ndef priority(item, bins):\n    return -(bins - item) + 1.0 * (bins == item)\n```"
    spaced = (
        "```python\ndef priority(item, bins):\n    # same program, other text\n"
        "    return -(bins-item) + 1.0*(bins == item)\n```"
    )
    engine, _, _ = run("funsearch", [same, spaced], evaluations=4)
    assert engine.recipe.ops.unusable.get("AST duplicate of an earlier program (not evaluated)", 0) >= 1


def test_same_seed_same_calls():
    a = run("evolve", [GOOD.format(k=3), DIFF], evaluations=5)[2]
    b = run("evolve", [GOOD.format(k=3), DIFF], evaluations=5)[2]
    assert a.seeds == b.seeds and a.prompts == b.prompts


def test_answer_equal_to_the_seed_is_not_evaluated():
    seedlike = (
        "```python\ndef priority(item, bins):\n    '''same as the seed'''\n"
        "    room = bins - item\n    return -room\n```"
    )
    engine, result, _ = run("evolve", [seedlike], evaluations=3, batch_size=1)
    assert engine.recipe.ops.unusable.get("AST duplicate of an earlier program (not evaluated)", 0) >= 1
    assert result.evaluations == 1  # only the seed was evaluated
