"""The negotiation game and the self-play recipe end to end (scripted players, a tiny trainable policy)."""

import pytest
from social_helpers import Negotiator

from evoforge.core.budget import Budget
from evoforge.core.errors import ConfigError
from evoforge.core.task import load_task
from evoforge.genomes.games import negotiation as ng
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


def test_games_are_deterministic_and_private():
    g = ng.new_game(5)
    assert g == ng.new_game(5) and g != ng.new_game(6)
    for p in (0, 1):
        assert sum(c * v for c, v in zip(g.counts, g.values[p])) == ng.TOTAL
    seen = ng.prompt(g, 0, [])
    mine = ", ".join(f"{i[:-1]}={v}" for i, v in zip(ng.ITEMS, g.values[0]))
    theirs = ", ".join(f"{i[:-1]}={v}" for i, v in zip(ng.ITEMS, g.values[1]))
    assert mine in seen and (theirs == mine or theirs not in seen)


def test_a_deal_scores_both_players_and_the_variants_reward_differently():
    g = ng.new_game(3)
    o = ng.replay(g, ["I'll take 1 book and 2 balls", "deal"])
    assert o.agreed and o.scores == ng.score_deal(g, 0, (1, 0, 2)) and o.joint == sum(o.scores)
    assert o.reward(0) == o.scores[0]
    coop = ng.replay(ng.new_game(3, "cooperative"), ["PROPOSE books=1 hats=0 balls=2", "ACCEPT"])
    assert coop.reward(0) == coop.reward(1) == coop.joint
    walk = ng.replay(g, ["PROPOSE books=1 hats=4 balls=2", "WALK"])
    assert not walk.agreed and walk.scores == (0, 0) and len(walk.turns) == 2


@pytest.mark.parametrize(
    "reply", ["", "the weather is nice", "PROPOSE books=9 hats=0 balls=0", "ACCEPT", None, "\x00" * 999]
)
def test_a_garbage_reply_is_an_invalid_move_with_a_reason(reply):
    g = ng.new_game(3)
    o = ng.play(g, [lambda p, t: reply if t == 0 else "WALK"] * 2)
    first = o.turns[0]
    assert first["move"] == "invalid" and first["reason"] and o.invalid(0) == 1
    assert o.turns[1]["move"] == "walk"  # the game goes on after an invalid move


def run_self_play(monkeypatch, model, **params):
    recipe_cls = get_recipe("self-play")
    monkeypatch.setattr(recipe_cls, "policy", lambda self, ckpt: self.model)  # scripted policy, real training
    task = load_task("negotiation")
    recipe = recipe_cls.from_params({"base": "tiny", "games": 8, "eval_games": 4, "epochs": 1.0, **params})
    recipe.model = model
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=3)).run(InProcessExecutor(task))
    return recipe, result


@pytest.mark.parametrize("opponent", ["fixed", "self"])
def test_self_play_rounds_of_filtered_behaviour_cloning(monkeypatch, weights_dir, opponent):
    model = Negotiator()
    recipe, result = run_self_play(monkeypatch, model, opponent=opponent)
    rounds = recipe.history
    assert [r["round"] for r in rounds] == [0, 1, 2] and result.evaluations == 3
    kept, played = (int(x) for x in rounds[1]["kept"].split("/"))
    assert played == (16 if opponent == "self" else 8) and 0 < kept < played and rounds[1]["rows"] >= kept
    assert rounds[2]["checkpoint"] != rounds[0]["checkpoint"] and "round-02" in rounds[2]["checkpoint"]
    for r in rounds:  # scores in both settings, every round
        assert {"fixed_own", "fixed_other", "fixed_joint", "self_joint", "self_agreed"} <= set(r)
    usage = model.usage.snapshot()
    assert usage["total"]["calls"] == len(model.prompts) and "move-policy" in usage["by_tag"]  # all metered
    assert len(model.prompts) >= 3 * 8 * 2  # evaluation games alone: 8 per round, two moves at least
    text = recipe.report(None)
    assert "vs fixed" in text and len(text.splitlines()) == 5
    ans = recipe.answer(None)
    assert ans["genome"] == rounds[2]["checkpoint"] and ans["seed"]["score"] == rounds[0]["score"]


def test_two_scripted_players_mostly_reach_a_deal():
    outcomes = [ng.play(g, [ng.scripted_mover(g, 0), ng.scripted_mover(g, 1)])
                for g in (ng.new_game(s) for s in range(100))]  # fmt: skip
    assert sum(o.agreed for o in outcomes) >= 80
    assert all(o.invalid() == 0 for o in outcomes)


def test_warm_start_adds_scripted_deals_and_the_control_trains_on_them_alone(monkeypatch, weights_dir):
    recipe, _ = run_self_play(monkeypatch, Negotiator(), opponent="fixed", warm_start=4, learn_from_play=False)
    first = recipe.history[1]
    assert first["kept"] == "-" and first["warm_rows"] >= 8 and first["rows"] == first["warm_rows"]
    assert "warm_rows" not in recipe.history[2] and recipe.history[2]["rows"] == 0  # later rounds: play only
    rows = recipe._scripted_rows(4)
    assert rows and all(r["completion"].startswith((" PROPOSE", " ACCEPT")) for r in rows)


def test_self_play_refuses_another_task():
    with pytest.raises(ConfigError, match="needs a game genome"):
        get_recipe("self-play")().check_task(load_task("sphere"))
    with pytest.raises(ConfigError, match="use --task negotiation"):
        get_recipe("self-play")().check_task(load_task("norms"))


def test_a_checkpoint_policy_is_metered_by_the_run_model(weights_dir):
    from evoforge.core.budget import Budget
    from evoforge.core.errors import BudgetExhausted
    from evoforge.genomes.weights.models import resolve
    from evoforge.recipes.social._checkpoint_model import CheckpointModel

    run_model = Negotiator()
    run_model.budget = Budget(max_calls=2)
    policy = CheckpointModel(resolve("tiny"), metered_by=run_model)
    out = policy.complete(ng.prompt(ng.new_game(1), 0, []), max_tokens=8, seed=3, tag="move-policy")
    assert isinstance(out[0].text, str) and ng.parse_move(out[0].text, ng.new_game(1)).kind  # never a crash
    run_model.complete("x", seed=1, tag="other")
    assert run_model.usage.snapshot()["total"]["calls"] == 2
    with pytest.raises(BudgetExhausted):
        policy.complete("y", max_tokens=4, seed=4, tag="move-policy")
