"""agent-evol and rest-react end to end: a scripted teacher and judge, the tiny random model as the
agent's weights (SFT through TRL), held-out success recorded per round."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from goal_helpers import ScriptedGoalModel

from evoforge.budget import Budget
from evoforge.engine import Engine
from evoforge.errors import ConfigError
from evoforge.executors import InProcessExecutor
from evoforge.registry import get_recipe
from evoforge.task import load_task

TINY = dict(base="tiny", problems=1, samples=2, warm_start=2, warm_epochs=1.0, epochs=1.0, train_batch=4,
            max_length=512)  # fmt: skip


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EVOFORGE_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "weights"


def train(name, options, tmp_path, rounds_=2, **params):
    task = load_task("agent-weights", options)
    recipe = get_recipe(name).from_params({**TINY, **params})
    model = ScriptedGoalModel()
    recipe.model = model
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=rounds_)).run(InProcessExecutor(task))
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


def test_rest_react_judges_and_grows(weights_dir, tmp_path):
    with pytest.raises(ConfigError, match=r"task\.env=search"):
        train("rest-react", {"env": "both", "heldout": 1}, tmp_path)
    recipe, _result, _model = train("rest-react", {"env": "search", "heldout": 2}, tmp_path, rounds_=3, samples=2)
    hist = recipe.history
    assert [h["round"] for h in hist] == [0, 1, 2]
    assert hist[1]["questions"] == 1 and hist[2]["questions"] == 2  # the batch grows
    assert recipe.judged["calls"] >= 1 + 1 + 2 and hist[0]["teacher_accepted"] == 2
    assert hist[2]["true_reward"] >= 0 and all(0.0 <= h["score"] <= 1.0 for h in hist)
