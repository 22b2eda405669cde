import pickle

import numpy as np
import pytest

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor
from evoforge.tasks.prompts import meeting_scheduling as ms


def test_meeting_checker_gives_feedback():
    task = load_task("meeting-scheduling", {"instance": 0}).value
    free = ms.feasible(task.busy, task.duration)[0]
    good = f"{ms.fmt(free)}-{ms.fmt(free + task.duration)}"
    assert task.evaluate(f"Let's meet {good}.")["metrics"]["success"] == 1
    bad = task.evaluate("8:00-8:30")
    assert bad["score"] < 1 and "outside working hours" in bad["feedback"]
    assert "no time found" in task.evaluate("whenever")["feedback"]
    name, (s, _e) = next((n, b[0]) for n, b in task.busy.items())
    clash = task.evaluate(f"{ms.fmt(s)}-{ms.fmt(s + task.duration)}")
    assert f"{name} is busy" in clash["feedback"] and clash["metrics"]["success"] == 0


def test_meeting_instances_differ_and_are_feasible():
    seen = set()
    for i in range(5):
        busy = ms.make_instance(i, 4, 60)
        assert ms.feasible(busy, 60)
        seen.add(str(busy))
    assert len(seen) == 5


def _engine(name, scripted, params, seed=0, evaluations=40):
    task = load_task("meeting-scheduling", {"instance": 1, "people": 2, "duration": 30})
    recipe = get_recipe(name).from_params(params)
    recipe.model = scripted
    return Engine(task, recipe, seed=seed, budget=Budget(evaluations=evaluations)), task


def test_mind_evolution_refines_with_islands_migration_and_reset(scripted):
    engine, task = _engine(
        "mind-evolution",
        scripted,
        {"islands": 2, "island_size": 3, "batch_size": 2, "migrate_every": 2, "reset_every": 4},
    )
    result = engine.run(InProcessExecutor(task, None))
    recipe = engine.recipe
    assert result.evaluations == 40 and recipe.resets >= 1 and recipe.pool.ticks == 20
    assert result.best.metrics["success"] == 1
    ops = {t for t in scripted.usage.by_tag()}
    assert {"sample", "critic", "author"} <= ops
    pickle.loads(pickle.dumps(recipe))


def test_mind_evolution_needs_a_problem(scripted):
    recipe = get_recipe("mind-evolution")()
    recipe.model = scripted
    with pytest.raises(ValueError, match="PROBLEM"):
        Engine(load_task("sphere"), recipe, budget=Budget(evaluations=2)).ask()


def test_elo_update_is_zero_sum_and_k32():
    from evoforge.recipes.prompts.co_scientist import elo_update, jaccard, spearman

    a, b = elo_update(1200, 1200, 1.0)
    assert (a, b) == (1216, 1184)
    assert elo_update(1200, 1200, 0.5) == (1200, 1200) and elo_update(1300, 1200, 0.5)[0] < 1300
    assert jaccard("meet at 10:00", "meet at 10:00") == 1.0 and jaccard("a b", "c d") == 0.0
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    # ties share their mean rank (checker scores tie often): [0, 0, 0, 1] ranks as [1, 1, 1, 3]
    assert spearman([0, 0, 0, 1], [3, 2, 1, 4]) == pytest.approx(0.7745967, abs=1e-6)
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_co_scientist_debates_dedups_and_evolves(scripted):
    engine, task = _engine("co-scientist", scripted, {"batch_size": 4, "debates": 3}, evaluations=32)
    result = engine.run(InProcessExecutor(task, None))
    recipe = engine.recipe
    assert recipe.matches >= 3 * 5 and scripted.usage.by_tag()["debate"].calls == 2 * recipe.matches  # swapped
    assert all(abs(sum(recipe.elo.values()) - 1200 * len(recipe.elo)) < 1e-6 for _ in [0])  # zero-sum
    assert {"generate", "evolve"} <= {c.operator for c in recipe.pool}
    assert result.best.metrics["success"] == 1
    corr = recipe.elo_correlation()
    assert corr is None or -1.0 <= corr <= 1.0
    pickle.loads(pickle.dumps(recipe))


def _bare_co_scientist(model, **params):
    from evoforge.recipes.prompts.co_scientist import CoScientist

    recipe = CoScientist(**params)
    recipe.setup(load_task("meeting-scheduling", {"instance": 1}), np.random.default_rng(0))
    recipe.model = model
    return recipe


def test_co_scientist_pairs_the_least_debated_with_the_nearest_rating():
    from evoforge.core.candidate import Candidate

    recipe = _bare_co_scientist(None)
    recipe.pool = [Candidate(genome=str(i), id=i, status="ok", score=0.5) for i in range(4)]
    recipe.elo = {0: 1300.0, 1: 1250.0, 2: 1100.0, 3: 1200.0}
    recipe.games = {0: 2, 1: 1, 2: 3, 3: 0}
    a, b = recipe._pair(np.random.default_rng(0))
    assert (a.id, b.id) == (3, 1)  # no debate yet; 1250 is the nearest rating to 1200
    with pytest.raises(ConfigError, match="pairing must be one of similar, random"):
        _bare_co_scientist(None, pairing="swiss")


def test_swapped_debate_turns_a_position_bias_into_draws():
    """A judge that always names the first proposal: with swap every debate is a draw and no rating
    moves; without swap the first-named proposal always gains."""
    from evoforge.core.candidate import Candidate

    class FirstAlways:
        def chat(self, messages, **kw):
            from evoforge.llm import Completion

            return [Completion("Better: 1", "stop", 10, 3)]

    for swap, moved in ((True, False), (False, True)):
        recipe = _bare_co_scientist(FirstAlways(), swap=swap)
        recipe.elo = {1: 1200.0, 2: 1200.0}
        a, b = Candidate(genome="9:00", id=1), Candidate(genome="10:00", id=2)
        recipe._debate(a, b, np.random.default_rng(0))
        assert (recipe.elo[1] != 1200.0) is moved and recipe.draws == (1 if swap else 0)


def test_judge_accuracy_counts_verdicts_against_the_checker():
    """A judge that names the proposal whose review says valid: every decisive verdict agrees with the
    checker; pairs the checker scores equally do not count."""
    from evoforge.core.candidate import Candidate
    from evoforge.llm import Completion

    class ReadsReviews:
        def chat(self, messages, **kw):
            text = messages[-1]["content"]
            first = text.split("Proposal 2:")[0]
            return [Completion(f"Better: {1 if 'valid' in first else 2}", "stop", 10, 3)]

    recipe = _bare_co_scientist(ReadsReviews())
    good = Candidate(genome="9:00-10:00", id=1, score=1.0, feedback="valid: everyone is free", status="ok")
    bad = Candidate(genome="8:00-9:00", id=2, score=0.5, feedback="outside working hours", status="ok")
    same = Candidate(genome="7:00-8:00", id=3, score=0.5, feedback="outside working hours", status="ok")
    recipe.elo = {1: 1200.0, 2: 1200.0, 3: 1200.0}
    rng = np.random.default_rng(0)
    recipe._debate(bad, good, rng)
    recipe._debate(good, bad, rng)
    recipe._debate(bad, same, rng)  # equal checker scores: not counted
    assert recipe.judge_accuracy() == 1.0 and recipe.verdicts == {True: 2, False: 0}
    assert recipe.elo[1] > 1200.0 > recipe.elo[2]


def test_auto_evolve_creates_modules_and_refines(scripted):
    engine, task = _engine("auto-evolve", scripted, {"modules": 3, "batch_size": 2}, evaluations=16)
    result = engine.run(InProcessExecutor(task, None))
    recipe = engine.recipe
    assert 1 <= len(recipe.library) <= 3
    assert {"module", "plan", "solve"} <= set(scripted.usage.by_tag())
    assert result.best is not None
    pickle.loads(pickle.dumps(recipe))


def test_iterative_deepening_grows_depth_until_solved(scripted):
    engine, task = _engine("iterative-deepening", scripted, {"batch_size": 1, "max_depth": 2}, evaluations=12)
    engine.run(InProcessExecutor(task, None))
    recipe = engine.recipe
    depths = [int(t[5:]) for t in scripted.usage.by_tag() if t.startswith("depth")]
    assert max(depths) >= 1 or recipe.solved
    assert recipe.depth <= 2
    pickle.loads(pickle.dumps(recipe))


def test_model_call_budget_is_exact_within_a_batch(scripted, monkeypatch, tmp_path):
    """--max-calls stops a run at the limit even when a batch would need more calls (co-scientist
    debates and generates several times per batch); the run records which limit stopped it."""
    from evoforge import llm
    from evoforge.run import api

    monkeypatch.setattr(llm, "get_model", lambda *a, **k: scripted)
    res = api.evolve(
        "meeting-scheduling",
        "co-scientist",
        budget=100,
        seed=0,
        out=tmp_path / "run.db",
        executor="inprocess",
        max_calls=7,
        recipe_params={"batch_size": 3, "debates": 3},
        task_options={"instance": 1, "people": 2, "duration": 30},
    )
    assert scripted.usage.total.calls == 7
    assert "max_calls=7" in res.stop_reason
