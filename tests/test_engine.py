"""The loop: determinism, budgets, ask/tell, deduplication, resume from the store."""

import pytest

import evoforge
from evoforge import Budget, Candidate, Engine, RunStore, evolve, get_recipe, load_task
from evoforge.core.candidate import apply_result
from evoforge.core.recipe import Recipe
from evoforge.run.api import RunConfig, build_engine


def scores_of(path):
    store = RunStore.open(path)
    try:
        return [(c.id, c.score, c.status) for c in store.candidates()]
    finally:
        store.close()


@pytest.mark.parametrize("recipe", ["ga", "regularized-evolution"])
def test_recipes_beat_random_search(recipe):
    budget = 1600
    for seed in (0, 1):
        ours = evolve("sphere", recipe, budget=budget, seed=seed, executor="inprocess").best.score
        rand = evolve("sphere", "random-search", budget=budget, seed=seed, executor="inprocess").best.score
        assert ours > rand + 10, (recipe, seed, ours, rand)


def test_same_seed_same_run_different_seed_differs(tmp_path):
    a = evolve("rastrigin", "ga", budget=200, seed=3, executor="inprocess", out=tmp_path / "a.db")
    b = evolve("rastrigin", "ga", budget=200, seed=3, executor="inprocess", out=tmp_path / "b.db")
    evolve("rastrigin", "ga", budget=200, seed=4, executor="inprocess", out=tmp_path / "c.db")
    assert scores_of(tmp_path / "a.db") == scores_of(tmp_path / "b.db")
    assert a.best.score == b.best.score
    assert scores_of(tmp_path / "a.db") != scores_of(tmp_path / "c.db")


def test_budgets_stop_with_reason():
    r = evolve("sphere", "ga", budget=100, executor="inprocess")
    assert r.evaluations == 100 and "evaluation budget" in r.stop_reason  # last batch trimmed to fit
    r = evolve("sphere", "ga", budget=None, generations=3, executor="inprocess")
    assert r.batches == 3 and "generation budget" in r.stop_reason
    r = evolve("sphere", "ga", budget=None, seconds=0.3, executor="inprocess")
    assert "time budget" in r.stop_reason


def test_ask_tell_surface_with_own_evaluation():
    task = load_task("sphere", {"dim": 3})
    engine = Engine(task, get_recipe("regularized-evolution")(), seed=0, budget=Budget(evaluations=300))
    while engine.stop_reason() is None:
        batch = engine.ask()
        for cand in batch:
            apply_result(cand, task.evaluate(cand.genome), 0.0)
        engine.tell(batch)
    assert engine.state.evaluations == 300
    assert engine.state.best_score > -1.0


class _Duplicates(Recipe):
    """Proposes the same genome over and over (passed as an object: not registered, so no other test sees it)."""

    name = "test-duplicates"

    batch_size = 4

    def ask(self, n, rng):
        return [Candidate(genome=[1.0, 2.0]) for _ in range(n)]

    def tell(self, candidates, rng):
        self.told = getattr(self, "told", 0) + len(candidates)


def test_exact_duplicates_are_rejected_before_evaluation(tmp_path):
    calls = []
    task = load_task("sphere")
    task.evaluate = lambda g: calls.append(g) or {"score": 0.0}
    result = evolve(task, _Duplicates(), budget=10, executor="inprocess", out=tmp_path / "d.db")
    assert len(calls) == 1 and result.evaluations == 1
    assert "stalled" in result.stop_reason
    store = RunStore.open(tmp_path / "d.db")
    assert store.count("rejected") >= 100
    store.close()


def test_resume_continues_exactly(tmp_path):
    full = tmp_path / "full.db"
    evolve("rastrigin", "regularized-evolution", budget=400, seed=7, executor="inprocess", out=full)
    # Run the same config, stop it after 5 batches, then resume.
    part = tmp_path / "part.db"
    config = RunConfig(recipe="regularized-evolution", task="rastrigin", seed=7, budget=400, executor="inprocess")
    store = RunStore.create(part, config.to_dict())
    engine = build_engine(config, store)
    for _ in range(5):
        batch = engine.ask()
        evoforge.InProcessExecutor(engine.task).evaluate(batch)
        engine.tell(batch)
    store.close()
    result = evoforge.resume(part)
    assert result.evaluations == 400
    assert scores_of(part) == scores_of(full)
    with pytest.raises(evoforge.StoreError, match="already finished"):
        evoforge.resume(part)


def test_failures_are_recorded_and_run_goes_on(write_task, tmp_path):
    path = write_task("""
        SEED = [0.0, 0.0]
        def evaluate(g):
            if g[0] > 0.5:
                raise ValueError("too big")
            if g[0] < -0.5:
                return {"score": float("nan")}
            if g[1] > 1.0:
                return "not a dict"
            return {"score": -abs(g[0])}
    """)
    r = evolve(path, "random-search", budget=64, executor="inprocess", out=tmp_path / "f.db")
    store = RunStore.open(tmp_path / "f.db")
    reasons = {c.reason for c in store.candidates("failed")}
    assert "ValueError: too big" in reasons and "score is nan" in reasons
    assert any("must return a dict" in r for r in reasons)
    assert store.count("ok") > 0 and r.evaluations == 64
    store.close()


class _SelfStopping(Recipe):
    """Stops itself after three batches, whatever the evaluation budget says."""

    name = "test-self-stopping"

    batch_size = 2

    def ask(self, n, rng):
        return [Candidate(genome=[float(x)]) for x in rng.random(n)]

    def tell(self, candidates, rng):
        self.batches = getattr(self, "batches", 0) + 1

    def stop_reason(self):
        return "recipe is done" if getattr(self, "batches", 0) >= 3 else None


def test_recipe_can_end_the_run():
    result = evolve("sphere", _SelfStopping(), budget=1000, executor="inprocess")
    assert result.stop_reason == "recipe is done" and result.batches == 3 and result.evaluations == 6
