"""--max-calls is exact when evaluators call a model in pool workers (the run's call ledger)."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from agent_helpers import ScriptedAgentModel

from evoforge import RunStore, llm
from evoforge.genomes.agents import set_agent_model
from evoforge.llm.account import CallLedger, active_run_ledger, run_ledger
from evoforge.llm.base import Model
from evoforge.llm.errors import BudgetExceededError
from evoforge.llm.types import Completion
from evoforge.run import api


def _take_all(ledger: CallLedger, got) -> None:
    n = 0
    while True:
        try:
            ledger.take()
        except BudgetExceededError:
            break
        n += 1
    got.put(n)


def test_forked_processes_share_one_ledger():
    ctx = mp.get_context("fork")
    ledger, got = CallLedger(50, used=8), ctx.Queue()
    procs = [ctx.Process(target=_take_all, args=(ledger, got)) for _ in range(4)]
    for p in procs:
        p.start()
    taken = sum(got.get(timeout=30) for _ in procs)
    for p in procs:
        p.join(10)
    assert taken == 42 and ledger.used == 50
    ledger.give_back()
    ledger.take()
    with pytest.raises(BudgetExceededError, match="max_calls=50"):
        ledger.take()


def test_a_model_of_the_run_takes_permits_only_while_the_run_is_active():
    model, bystander = ScriptedAgentModel(), ScriptedAgentModel()  # e.g. a model server in this process
    model.counts_for_run = True
    with active_run_ledger(2) as ledger:
        for _ in range(3):
            bystander.chat([{"role": "user", "content": "What is 2 + 2?"}], temperature=0.0)
        assert run_ledger() is ledger
        model.chat([{"role": "user", "content": "What is 1 + 2?"}], temperature=0.0)
        model.chat([{"role": "user", "content": "What is 1 + 3?"}], temperature=0.0)
        with pytest.raises(BudgetExceededError):
            model.chat([{"role": "user", "content": "What is 1 + 4?"}], temperature=0.0)
        assert ledger.used == 2 and model.usage.answers == 2
    assert run_ledger() is None
    model.chat([{"role": "user", "content": "What is 1 + 5?"}], temperature=0.0)  # no run: no limit
    assert model.usage.answers == 3


@pytest.mark.parametrize("executor", ["pool", "inprocess"])
def test_agent_run_records_at_most_max_calls_answers(add_task, tmp_path, monkeypatch, executor):
    """ADAS evaluates its seed archive first: most answers come from the agents, in the workers."""
    recipe_model, agents_model = ScriptedAgentModel("meta"), ScriptedAgentModel("agents")
    monkeypatch.setattr(llm, "get_model", lambda *a, **k: recipe_model)
    set_agent_model(agents_model)  # the pool's workers are forked after this: their agents call a copy
    try:
        result = api.evolve(
            add_task, "adas", budget=40, seed=1, out=tmp_path / "run.db", executor=executor, workers=2, max_calls=12
        )
    finally:
        set_agent_model(None)
    assert "max_calls=12" in result.stop_reason
    store = RunStore.open(tmp_path / "run.db")
    try:
        usage = store.last_batch()["usage"]["total"]
        reasons = [c.reason or "" for c in store.candidates()]
    finally:
        store.close()
    answers = usage["calls"] + usage["cache_hits"]
    assert answers == 12  # every answer paid for is on record, and none past the limit
    assert any("max_calls=12" in r for r in reasons)  # an evaluation was cut short at the limit


class _Labeller(Model):
    backend = "scripted"

    def _generate(self, req):
        return [Completion("Instruction: Reply with only the label. Answer: positive", "stop", 10, 5)] * req.n


def test_prompt_run_on_the_pool_records_at_most_max_calls_answers(tmp_path, monkeypatch):
    from evoforge.genomes.prompts.task import set_task_model

    recipe_model = _Labeller("recipe")
    monkeypatch.setattr(llm, "get_model", lambda *a, **k: recipe_model)
    set_task_model(_Labeller("task"))  # each evaluation asks it once per item, in the workers
    try:
        result = api.evolve(
            "sentiment", "promptbreeder", budget=50, seed=0, out=tmp_path / "p.db", executor="pool", max_calls=30
        )
    finally:
        set_task_model(None)
    assert "max_calls=30" in result.stop_reason
    store = RunStore.open(tmp_path / "p.db")
    try:
        usage = store.last_batch()["usage"]["total"]
    finally:
        store.close()
    assert usage["calls"] + usage["cache_hits"] == 30  # 36 when the workers' calls were counted afterwards
