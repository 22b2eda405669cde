"""agent-evol and rest-react end to end: a scripted teacher and judge, the tiny random model as the
agent's weights (SFT through TRL), held-out success recorded per round."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from goal_helpers import ScriptedGoalModel

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError
from evoforge.core.task import load_task
from evoforge.genomes.weights import rounds
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor
from evoforge.store.run_file import RunStore

TINY = dict(base="tiny", problems=1, samples=2, warm_start=2, warm_epochs=1.0, epochs=1.0, train_batch=4,
            max_length=512)  # fmt: skip


def train(name, options, tmp_path, rounds_=2, **params):
    task = load_task("agent-weights", options)
    recipe = get_recipe(name).from_params({**TINY, **params})
    model = ScriptedGoalModel()
    recipe.model = model
    store = RunStore.create(tmp_path / f"{name}-{options['env']}.db", {})
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=rounds_), store=store).run(InProcessExecutor(task))
    return recipe, result, model


def test_agent_evol_rounds(weights_dir, tmp_path):
    recipe, _result, model = train("agent-evol", {"env": "both", "heldout": 1, "call_limit": 7}, tmp_path)
    hist = recipe.history
    assert [h["round"] for h in hist] == [0, 1] and all(h["status"] == "ok" for h in hist)
    zero, one = hist
    assert zero["teacher_success"] == 1.0 and zero["dataset"] > 0 and model.usage.total.calls > 0  # metered
    assert one["episodes"] == 4 and "apps_reward" in one and "search_reward" in one
    assert one["dataset"] >= zero["dataset"]  # the teacher's rows mixed in, plus any successes of its own
    for h in hist:
        assert 0.0 <= h["score"] <= 1.0  # held-out success before and after the round
    answer = recipe.answer(None)
    assert answer["what"] == "final checkpoint" and "seed" in answer


@pytest.mark.slow  # about 50 s: three rounds of training
def test_rest_react_judges_and_grows(weights_dir, tmp_path):
    with pytest.raises(ConfigError, match=r"task\.env=search"):
        train("rest-react", {"env": "both", "heldout": 1}, tmp_path)
    recipe, result, _model = train("rest-react", {"env": "search", "heldout": 2}, tmp_path, rounds_=3, samples=2)
    hist = recipe.history
    assert [h["round"] for h in hist] == [0, 1, 2]
    assert hist[1]["questions"] == 1 and hist[2]["questions"] == 2  # the batch grows
    assert recipe.judged["calls"] >= 1 + 1 + 2 and hist[0]["teacher_accepted"] == 2
    assert recipe.judged["unusable"] == 0 and all(0.0 <= h["score"] <= 1.0 for h in hist)
    store = RunStore.open(result.path)
    try:
        report = recipe.report(store)
    finally:
        store.close()
    assert "held-out" in report and "judge: {" in report and len(rounds(result.path)) == 3


def test_agent_evol_weights_episodes_by_reward():
    recipe = get_recipe("agent-evol").from_params({"min_reward": 0.5, "copies": 4})
    row = [{"prompt": "p", "completion": "c\n"}]
    episodes = [{"env": "apps", "reward": r, "rows": row} for r in (1.0, 0.5, 0.25, 0.0)]
    rows, mon = recipe.keep(episodes, None)
    assert len(rows) == 4 + 2 and mon["accepted"] == 2 and mon["apps_reward"] == 1.75 / 4
