"""The process recipes (s2r, self-rewarding-correction, process-self-rewarding, envisions) end to end on
a tiny random model, and their trace building, rewards and step checks on scripted samples."""

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge import api
from evoforge.weights import models, rounds

TINY = dict(base="tiny", problems=3, samples=2, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=16)
CHECKS = ("first_acc", "verify_acc", "final_acc", "fixed", "broken", "gv_gap")


def run(recipe, task, budget, extra, tmp_path):
    res = api.evolve(
        task,
        recipe,
        budget=budget,
        seed=1,
        out=tmp_path / "run.db",
        executor="inprocess",
        recipe_params={**TINY, **extra},
        task_options={"heldout": 4},
    )
    assert res.evaluations == budget
    table = rounds(res.path)
    assert [r["round"] for r in table] == list(range(budget)) and table[0]["operator"] == "warm-start"
    for r in table[1:]:
        assert r["status"] == "ok" and 0.0 <= r["score"] <= 1.0 and Path(r["checkpoint"]).is_dir()
    return table


@pytest.mark.parametrize("recipe", ["s2r", "self-rewarding-correction"])
def test_self_verifying_recipes_run_sft_then_rl(recipe, weights_dir, tmp_path):
    table = run(recipe, "word-problems", 3, {"group": 2}, tmp_path)
    sft, rl = table[1], table[2]
    assert sft["stage"] == "sft" and models.read_meta(sft["checkpoint"])["kind"] == "sft"
    assert rl["stage"] == "rl" and models.read_meta(rl["checkpoint"])["kind"] == "grpo"
    for key in CHECKS:
        assert 0.0 <= sft[key] + 1.0 <= 2.0 and key in rl, key
    # the RL round: one solve turn per problem plus a check turn per attempt (and S2R's corrections)
    assert rl["accepted"] >= 2 * TINY["problems"]
    assert 0.0 <= rl["rl_check_reward"] <= (1.5 if recipe != "s2r" else 1.0)


def _recipe(cls, **kw):
    from evoforge.tasks import word_problems

    r = cls(**kw)
    r._task_module = word_problems
    q = word_problems.train_problems(1, 0)[0]
    return r, q, word_problems.solution(q), " 1+1=2. Answer: 999"


def test_s2r_builds_verify_and_correct_traces_and_rewards_each_turn():
    from evoforge.recipes.s2r import S2R

    r, q, right, wrong = _recipe(S2R)
    rows, mon = r.sft_rows([q], [[wrong, right, wrong]], 0)
    got = {(row["prompt"], row["completion"]) for row in rows}
    assert (
        got
        == {
            (r.T.prompt(q), right),
            (r.verify_prompt(q, right), " right"),
            (r.verify_prompt(q, wrong), " wrong"),
            (r.correct_prompt(q, wrong), right),
        }
        and mon["corrections"] == 1
    )
    rows, _ = r.sft_rows([q], [[wrong, wrong]], 0)  # nothing right: only the verdict on the wrong attempt
    assert [row["completion"] for row in rows] == [" wrong"]
    rl = r.rl_rows([q], [wrong])
    assert [(x["turn"], x["label"]) for x in rl] == [("verify", "wrong"), ("correct", r.T.gold(q))]
    gold = r.T.gold(q)
    got = r.reward(
        ["p"] * 5,
        [right, " wrong", " right", right, wrong],
        [gold, "wrong", "wrong", gold, gold],
        turn=["solve", "verify", "verify", "correct", "correct"],
    )
    assert got == [1.0, 1.0, 0.0, 1.0, 0.0]


def test_self_rewarding_correction_keeps_passing_samples_else_constructs_and_pays_verdicts():
    from evoforge.recipes.self_rewarding_correction import WRONG, SelfRewardingCorrection

    r, q, right, wrong = _recipe(SelfRewardingCorrection, verdict_bonus=0.5)
    scripted = [[f"{WRONG}{right}", " correct"], [f"{WRONG}{wrong}", " correct"]]  # right attempt, then wrong one
    r.sample = lambda *a, **k: scripted
    rows, mon = r.sft_rows([q], [[right, wrong]], 0)
    assert (mon["sampled"], mon["constructed"]) == (1, 1)  # the first attempt's " correct" passes; none for the wrong
    assert {(x["prompt"], x["completion"]) for x in rows} == {
        (r.T.prompt(q), right),
        (r.check_prompt(q, right), " correct"),
        (r.check_prompt(q, wrong), f"{WRONG}{right}"),  # constructed from the model's own right attempt
    }
    gold, bad = r.T.gold(q), r.T.answer(wrong)
    row_wrong = {"truth": "wrong", "attempt_answer": bad}
    row_right = {"truth": "correct", "attempt_answer": gold}
    assert r.turn_reward("check", f"{WRONG}{right}", gold, row_wrong) == 1.5  # right verdict, fixed
    assert r.turn_reward("check", " correct", gold, row_wrong) == 0.0  # kept a wrong answer, wrong verdict
    assert r.turn_reward("check", f"{WRONG}{wrong}", gold, row_wrong) == 0.5  # right verdict, failed fix
    assert r.turn_reward("check", " correct", gold, row_right) == 1.5
    assert r.turn_reward("check", f"{WRONG}{right}", gold, row_right) == 1.0  # needless, but right in the end
    assert r.turn_reward("check", " maybe", gold, row_right) == 0.0
