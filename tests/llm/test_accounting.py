"""Usage meter, budgets and the response cache, on a fake model (no weights needed)."""

from __future__ import annotations

import json

import pytest
from llm_helpers import FakeModel

from evoforge.core.budget import Budget
from evoforge.llm import BudgetExceededError, ResponseCache, UsageMeter
from evoforge.llm.base import TransientError, retry
from evoforge.llm.errors import EndpointError


def test_meter_totals_tags_snapshot_restore() -> None:
    m = UsageMeter()
    m.record("mutate", calls=1, prompt_tokens=10, completion_tokens=5, cost=0.5)
    m.record("judge", calls=2, prompt_tokens=1, completion_tokens=1)
    m.record("mutate", cache_hits=1)
    assert (m.calls, m.total_tokens, m.cache_hits) == (3, 17, 1)
    assert m.by_tag()["mutate"].prompt_tokens == 10
    snap = json.loads(json.dumps(m.snapshot()))  # JSON-able
    m2 = UsageMeter()
    m2.restore(snap)
    assert m2.snapshot() == m.snapshot()


def test_budget_names_the_limit() -> None:
    m = UsageMeter()
    b = Budget(max_calls=2, max_tokens=100, max_cost=1.0)
    assert b.model_limit(m.total) is None and b.stop_reason(0, 0, 0.0, m.total) is None
    m.record(calls=2)
    assert b.model_limit(m.total).startswith("max_calls=2")
    assert b.stop_reason(0, 0, 0.0, m.total) == b.model_limit(m.total)  # between batches: the same words
    m.reset()
    m.record(calls=1, prompt_tokens=60, completion_tokens=40)
    assert b.model_limit(m.total).startswith("max_tokens=100")
    m.reset()
    m.record(calls=1, cost=1.5)
    assert b.model_limit(m.total).startswith("max_cost=1")


def test_model_refuses_calls_past_its_budget() -> None:
    model = FakeModel(budget=Budget(max_calls=1))
    model.complete("a", seed=0)
    with pytest.raises(BudgetExceededError, match="max_calls=1"):
        model.complete("b", seed=0)


def test_cache_replays_seeded_calls_without_tokens(tmp_path) -> None:
    path = tmp_path / "c.sqlite"
    a = FakeModel(cache=ResponseCache(path))
    first = a.complete(["x", "y"], n=2, seed=7, tag="op")
    assert a.generated == 2 and not any(c.cached for c in first)
    before = a.usage.snapshot()["total"]
    again = a.complete(["x", "y"], n=2, seed=7, tag="op")
    assert a.generated == 2 and all(c.cached for c in again)
    assert [c.text for c in again] == [c.text for c in first]
    after = a.usage.snapshot()["total"]
    assert after["prompt_tokens"] == before["prompt_tokens"]
    assert after["completion_tokens"] == before["completion_tokens"]
    assert after["calls"] == before["calls"] and after["cache_hits"] == 2
    # A new process (new model object, same file) also hits; other params miss.
    b = FakeModel(cache=ResponseCache(path))
    b.complete("x", n=2, seed=7)
    assert b.generated == 0 and b.usage.cache_hits == 1
    b.complete("x", n=2, seed=8)
    b.complete("x", n=2, seed=7, max_tokens=5)
    assert b.generated == 2


def test_unseeded_sampling_is_not_cached(tmp_path) -> None:
    m = FakeModel(cache=ResponseCache(tmp_path / "c.sqlite"))
    m.complete("x", temperature=0.9)
    m.complete("x", temperature=0.9)
    assert m.generated == 2
    m.complete("x", temperature=0.0)
    m.complete("x", temperature=0.0)
    assert m.generated == 3


def test_batch_results_are_prompt_major_and_concurrent() -> None:
    m = FakeModel(max_concurrency=4)
    out = m.chat([[{"role": "user", "content": str(i)}] for i in range(5)], n=2, seed=10)
    assert [c.text for c in out] == [f"{i}#{10 + j}" for i in range(5) for j in range(2)]


def test_retry_backs_off_then_raises_final() -> None:
    calls, sleeps = [], []

    def flaky() -> int:
        calls.append(1)
        raise TransientError(EndpointError("still down"))

    with pytest.raises(EndpointError, match="still down"):
        retry(flaky, max_retries=3, backoff=0.5, sleep=sleeps.append)
    assert len(calls) == 4 and len(sleeps) == 3 and sleeps[2] > sleeps[0]
