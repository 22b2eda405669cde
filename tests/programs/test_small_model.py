"""What makes a 0.5B model useful: one-line edits of the function's result, constant tuning without a
model call, shuffled idea scheduling, embedding-near duplicates rejected before evaluation, and the
cascade evaluation of bin packing."""

import numpy as np
import pytest

from evoforge.core.candidate import Candidate
from evoforge.core.task import load_task
from evoforge.genomes.programs.answers import answer_lines, result_form
from evoforge.genomes.programs.constants import constants, perturb_constants, perturb_text
from evoforge.genomes.programs.near_duplicates import NearDuplicates
from evoforge.genomes.programs.ops import ProgramOps
from evoforge.genomes.programs.templates import ProgramSpec
from evoforge.tasks.programs import binpack


def ops():
    return ProgramOps(ProgramSpec.from_task(load_task("binpack", {})), 256, 0.8)


def test_result_form_and_line_insertion():
    seed = load_task("binpack", {}).seed
    form = result_form(seed, "priority")
    assert "    result = -gap  # best fit" in form and form.rstrip().endswith("return result\n# EVOLVE-BLOCK-END")
    assert result_form(form, "priority") == form
    prop = ops().from_lines(seed, "Sure!\n```python\nresult = result - 2.0 * (gap > 5) * (gap < 20)\n```\nDone.")
    assert prop.program is not None and prop.how == "line"
    assert "    result = result - 2.0 * (gap > 5) * (gap < 20)\n    return result" in prop.program
    assert load_task("binpack", {"instances": 1, "items": 200}).evaluate(prop.program)["score"] < 0


@pytest.mark.parametrize(
    "answer,why",
    [
        ("I would penalise small gaps.", "no new code line"),
        ("```python\ngap = bins - item\n```", "no new code line"),
        ("", "no new code line"),
    ],
)
def test_line_answers_without_code_say_why(answer, why):
    prop = ops().from_lines(load_task("binpack", {}).seed, answer)
    assert prop.program is None and why in prop.reason


def test_answer_lines_tolerates_returns_and_prose():
    assert answer_lines("```\nreturn result * 2\n```") == ["result = result * 2"]
    assert answer_lines("result = result + (gap == 0)\nThis adds a bonus.") == ["result = result + (gap == 0)"]
    whole = "```python\ndef priority(item, bins):\n    gap = bins - item\n    return -gap + 1.5 * (gap == 0)\n```"
    prop = ops().from_lines(load_task("binpack", {}).seed, whole)
    assert prop.program is not None and prop.how == "line-as-rewrite"


def test_ideas_are_scheduled_without_repeats():
    o, rng = ops(), np.random.default_rng(0)
    first = [o.idea(rng) for _ in range(len(binpack.IDEAS))]
    assert sorted(first) == sorted(binpack.IDEAS)


def test_constants_are_perturbed_in_place():
    src = "def f(x, a):\n    y = a[2] - 1.5 * (x > -3) * (x < 8)\n    return np.zeros(4) + y\n"
    found = constants(src)
    assert [c.value for c in found] == [1.5, -3.0, 8.0]  # not the subscript, not the shape; -3 is one constant
    rng = np.random.default_rng(1)
    for _ in range(30):
        new = perturb_text(src, rng, k=2)
        assert new != src and "a[2]" in new and "np.zeros(4)" in new
        compile(new, "f", "exec")
    assert perturb_constants("def f(x):\n    return x\n", rng) is None


def test_tune_draws_good_programs_with_constants():
    o, rng = ops(), np.random.default_rng(2)
    seed = load_task("binpack", {}).seed
    with_k = o.from_lines(seed, "```python\nresult = result - 1.0 * (gap > 2) * (gap < 8)\n```").program
    pool = [Candidate(genome=seed, status="ok", score=-4.9), Candidate(genome=with_k, status="ok", score=-5.0)]
    for i, c in enumerate(pool):
        c.id = i
    programs = {o.tune(pool, rng)[0] for _ in range(10)}
    assert len(programs) == 10 and all("result = result -" in p for p in programs)
    assert o.tune(pool[:1], rng) is None  # the seed has no constants


class FakeEmbedder:
    """Bag-of-characters vectors, unit norm: close texts are close."""

    @staticmethod
    def embed(texts):
        out = []
        for t in texts:
            v = np.zeros(128)
            for ch in t:
                v[ord(ch) % 128] += 1
            out.append(v / np.linalg.norm(v))
        return np.array(out)


def test_near_duplicates_rejected_before_evaluation(monkeypatch):
    from evoforge import llm

    monkeypatch.setattr(llm, "embed", lambda texts, **kw: FakeEmbedder.embed(texts))
    near = NearDuplicates(0.999)
    a = "def f(x):\n    return x * 2 + 1\n"
    assert near.check(a) is None
    assert "near duplicate" in near.check("def f(x):\n    return 1 + x * 2\n")  # same characters
    assert near.check("def f(x):\n    import math\n    return math.sqrt(abs(x)) / 3.0 - 7\n") is None
    assert NearDuplicates(0).check(a) is None


def test_near_duplicates_off_when_no_embedding_model(monkeypatch):
    from evoforge import llm

    def broken(texts, **kw):
        raise RuntimeError("no embedding model here")

    monkeypatch.setattr(llm, "embed", broken)
    near = NearDuplicates(0.99)
    assert near.check("def f(x):\n    return x\n") is None and "no embedding model" in near.disabled


@pytest.mark.slow
def test_real_embeddings_reject_a_reformatted_program():
    near = NearDuplicates(0.99)
    a = "def priority(item, bins):\n    gap = bins - item\n    return -gap + 2.0 * (gap == 0)\n"
    assert near.check(a) is None
    assert (
        near.check("def priority(item, bins):\n    room = bins - item\n    return 2.0 * (room == 0) - room\n")
        is not None
        or near.disabled
    )


def test_cascade_stops_weak_programs_early():
    task = load_task("binpack", {})  # defaults: 5 x 1,000 Weibull items, cascade on
    seed = task.evaluate(task.seed)
    assert seed["metrics"]["cascade"] == "full" and seed["score"] == pytest.approx(-4.9577, abs=1e-3)
    worst_fit = task.seed.replace("return -gap", "return gap")
    weak = task.evaluate(worst_fit)
    assert weak["metrics"]["cascade"] == "stopped after stage 1" and weak["score"] < seed["score"] - 50
    assert "too weak for the full evaluation" in weak["feedback"]
    slow = task.seed.replace("    gap = bins", "    import time\n    time.sleep(0.05)\n    gap = bins")
    with pytest.raises(Exception, match="stage 1"):
        task.evaluate(slow)  # 400 items x 50 ms > the 10 s stage-1 limit: stopped before the full set


def test_cascade_off_for_small_sets_and_on_request():
    task = load_task("binpack", {"instances": 2, "items": 300})
    assert task.evaluate(task.seed)["metrics"]["cascade"] == "off"
    task = load_task("binpack", {"cascade": False})
    assert task.evaluate(task.seed)["metrics"]["cascade"] == "off"


def test_evolve_without_line_example_uses_rewrites_and_tunes():
    import sys

    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from test_recipes import ScriptedModel

    from evoforge.core.budget import Budget
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor

    task = load_task("tsp", {"instances": 2, "size": 20})
    task.value.line_example = ""  # a program task without one-line edits
    recipe = get_recipe("evolve").from_params({"near_duplicate": 0, "batch_size": 4})
    answer = (
        "```python\ndef select_next_node(current, destination, unvisited, distances):\n"
        "    score = distances[current, unvisited] + 0.3 * distances[destination, unvisited]\n"
        "    return int(unvisited[np.argmin(score)])\n```"
    )
    recipe.model = ScriptedModel([answer])
    seen = []
    engine = Engine(task, recipe, seed=0, budget=Budget(evaluations=9), on_batch=lambda e, b: seen.extend(b))
    engine.run(InProcessExecutor(task, timeout=60))
    ops = {c.operator for c in seen}
    assert "line" not in recipe.bandit.arms and "tune" in ops and ops & {"rewrite", "crossover"}


def test_line_edits_change_the_variable_the_tasks_example_assigns():
    """TSP's LINE_EXAMPLE assigns `cost`: line prompts ask for lines that change it, and the lines go
    before the final return (which is not `return cost`)."""
    from evoforge.genomes.programs.answers import line_variable

    task = load_task("tsp", {"instances": 2, "size": 20})
    o = ProgramOps(ProgramSpec.from_task(task), 256, 0.8)
    assert line_variable(task.value.line_example) == "cost" and line_variable("") == "result"
    seed = Candidate(genome=task.seed, operator="seed")
    prompt = o.line_prompt(seed, np.random.default_rng(0))
    assert "before the final `return` that change `cost`" in prompt
    prop = o.from_lines(task.seed, "```python\nreturn cost - 0.3 * distances[destination, unvisited]\n```")
    body = prop.program.split("def select_next_node")[1]
    assert body.index("cost = cost - 0.3 * distances[destination, unvisited]") < body.index("return int(")
    assert task.evaluate(prop.program)["score"] != task.evaluate(task.seed)["score"]
    no_cost = task.seed.replace("cost = distances[current, unvisited]", "c = distances[current, unvisited]")
    assert o.from_lines(no_cost.replace("argmin(cost)", "argmin(c)"), "cost = cost * 2").program is None
