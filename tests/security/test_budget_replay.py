"""--max-calls counts every answer a recipe receives, cached or not: a re-run on a warm response cache
replays the same run without model calls, and a resume after an interrupt never passes the budget."""

from __future__ import annotations

import pytest
from security_helpers import SlotModel

from evoforge import RunStore, llm
from evoforge.core.budget import Budget
from evoforge.llm import BudgetExceededError, ResponseCache
from evoforge.run import api

MAX_CALLS = 9
SETTINGS = dict(
    budget=200,
    seed=3,
    executor="inprocess",
    max_calls=MAX_CALLS,
    checkpoint_every=0,
    recipe_params={"batch_size": 3, "debates": 2},
    task_options={"instance": 1, "people": 2, "duration": 30},
)


@pytest.fixture
def models(monkeypatch, tmp_path):
    """Every model the run asks for is a fresh SlotModel on the run's response cache (as a new process
    would be); the list holds them in order. Set ``models.interrupt_after`` for the next one."""
    made: list[SlotModel] = []

    def get_model(spec="embedded", base_url=None, cache=None, **kw):
        model = SlotModel(cache=ResponseCache(cache), interrupt_after=getattr(made, "interrupt_after", None))
        made.interrupt_after = None  # type: ignore[attr-defined]
        made.append(model)
        return model

    made = type("Made", (list,), {})()
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(llm, "get_model", get_model)
    return made


def rows(path):
    store = RunStore.open(path)
    try:
        return [(c.id, c.operator, c.status, c.score, c.genome) for c in store.candidates()]
    finally:
        store.close()


def answers_recorded(path) -> int:
    """Answers in the usage stored with the last committed batch (a batch cut short by the budget is
    not stored, so this can be below the limit)."""
    store = RunStore.open(path)
    try:
        total = store.last_batch()["usage"]["total"]
        return total["calls"] + total["cache_hits"]
    finally:
        store.close()


def run(path):
    return api.evolve("meeting-scheduling", "co-scientist", out=path, **SETTINGS)


def test_rerun_on_a_warm_cache_replays_the_same_run_without_calls(models, tmp_path):
    first = run(tmp_path / "first.db")
    assert models[0].generated == MAX_CALLS and models[0].usage.cache_hits == 0
    assert first.stop_reason.endswith(f"max_calls={MAX_CALLS} reached ({MAX_CALLS} calls)")
    second = run(tmp_path / "second.db")
    assert models[1].generated == 0, "a re-run on a warm cache made real model calls"
    assert models[1].usage.cache_hits == MAX_CALLS and models[1].usage.calls == 0
    assert rows(tmp_path / "second.db") == rows(tmp_path / "first.db")
    assert (second.evaluations, second.best.score) == (first.evaluations, first.best.score)
    assert second.stop_reason.endswith(f"max_calls={MAX_CALLS} reached ({MAX_CALLS} calls, {MAX_CALLS} from the cache)")
    assert answers_recorded(tmp_path / "second.db") == answers_recorded(tmp_path / "first.db") <= MAX_CALLS


@pytest.mark.parametrize("interrupt_after", [2, 5, 8])
def test_resume_after_an_interrupt_never_passes_the_budget(models, tmp_path, monkeypatch, interrupt_after):
    reference = run(tmp_path / "reference.db")
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cold-cache"))  # the killed run starts cold
    models.interrupt_after = interrupt_after
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "killed.db")
    assert models[1].generated == interrupt_after
    result = api.resume(tmp_path / "killed.db")
    real_calls = models[1].generated + models[2].generated
    assert real_calls <= MAX_CALLS, f"{real_calls} real model calls for --max-calls {MAX_CALLS}"
    assert models[2].usage.answers == MAX_CALLS  # restored from the run file, then counted on
    assert answers_recorded(tmp_path / "killed.db") == answers_recorded(tmp_path / "reference.db") <= MAX_CALLS
    assert rows(tmp_path / "killed.db") == rows(tmp_path / "reference.db")
    assert result.best.score == reference.best.score


def test_a_cached_answer_past_the_limit_is_refused(tmp_path):
    cache = tmp_path / "c.sqlite"
    warm = SlotModel(cache=ResponseCache(cache))
    for seed in range(3):
        warm.complete("Schedule a meeting", seed=seed)
    replay = SlotModel(cache=ResponseCache(cache), budget=Budget(max_calls=2, max_tokens=1))
    replay.complete("Schedule a meeting", seed=0)
    replay.complete("Schedule a meeting", seed=1)  # tokens count only what was spent: none yet
    with pytest.raises(BudgetExceededError, match=r"max_calls=2 reached \(2 calls, 2 from the cache\)"):
        replay.complete("Schedule a meeting", seed=2)
    assert replay.generated == 0 and replay.usage.total_tokens == 0
