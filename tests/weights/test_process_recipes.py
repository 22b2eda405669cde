"""The process recipes (s2r, self-rewarding-correction, process-self-rewarding, envisions) end to end on
a tiny random model, and their trace building, rewards and step checks on scripted samples (and ScPO's
vote pairs)."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge.genomes.weights import models

TINY = dict(base="tiny", problems=3, samples=2, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=16)
CHECKS = ("first_acc", "verify_acc", "final_acc", "fixed", "broken", "gv_gap")


@pytest.mark.parametrize("recipe", ["s2r", "self-rewarding-correction"])
def test_self_verifying_recipes_run_sft_then_rl(recipe, self_train):
    table = self_train("word-problems", recipe, 3, {**TINY, "group": 2}, heldout=4)
    sft, rl = table[1], table[2]
    assert sft["stage"] == "sft" and models.read_meta(sft["checkpoint"])["kind"] == "sft"
    assert rl["stage"] == "rl" and models.read_meta(rl["checkpoint"])["kind"] == "grpo"
    for key in CHECKS:
        assert 0.0 <= sft[key] + 1.0 <= 2.0 and key in rl, key
    # the RL round: one solve turn per problem plus a check turn per attempt (and S2R's corrections)
    assert rl["accepted"] >= 2 * TINY["problems"]
    assert 0.0 <= rl["rl_check_reward"] <= (1.5 if recipe != "s2r" else 1.0)


def _recipe(cls, **kw):
    r = cls(**kw)
    r.task_ref = "word-problems"  # its task_value is loaded from the reference
    q = r.task_value.train_problems(1, 0)[0]
    return r, q, r.task_value.solution(q), " 1+1=2. Answer: 999"


def test_s2r_builds_verify_and_correct_traces_and_rewards_each_turn():
    from evoforge.recipes.self_training.s2r import S2R

    r, q, right, wrong = _recipe(S2R)
    rows, mon = r.sft_rows([q], [[wrong, right, wrong]], 0)
    got = {(row["prompt"], row["completion"]) for row in rows}
    assert (
        got
        == {
            (r.task_value.prompt(q), right),
            (r.verify_prompt(q, right), " right"),
            (r.verify_prompt(q, wrong), " wrong"),
            (r.correct_prompt(q, wrong), right),
        }
        and mon["corrections"] == 1
    )
    rows, _ = r.sft_rows([q], [[wrong, wrong]], 0)  # nothing right: only the verdict on the wrong attempt
    assert [row["completion"] for row in rows] == [" wrong"]
    rl = r.rl_rows([q], [wrong])
    assert [(x["turn"], x["label"]) for x in rl] == [("verify", "wrong"), ("correct", r.task_value.gold(q))]
    gold = r.task_value.gold(q)
    got = r.reward(
        ["p"] * 5,
        [right, " wrong", " right", right, wrong],
        [gold, "wrong", "wrong", gold, gold],
        turn=["solve", "verify", "verify", "correct", "correct"],
    )
    assert got == [1.0, 1.0, 0.0, 1.0, 0.0]


def test_self_rewarding_correction_keeps_passing_samples_else_constructs_and_pays_verdicts():
    from evoforge.recipes.self_training.self_rewarding_correction import WRONG, SelfRewardingCorrection

    r, q, right, wrong = _recipe(SelfRewardingCorrection, verdict_bonus=0.5)
    scripted = [[f"{WRONG}{right}", " correct"], [f"{WRONG}{wrong}", " correct"]]  # right attempt, then wrong one
    r.sample = lambda *a, **k: scripted
    rows, mon = r.sft_rows([q], [[right, wrong]], 0)
    assert (mon["sampled"], mon["constructed"]) == (1, 1)  # the first attempt's " correct" passes; none for the wrong
    assert {(x["prompt"], x["completion"]) for x in rows} == {
        (r.task_value.prompt(q), right),
        (r.check_prompt(q, right), " correct"),
        (r.check_prompt(q, wrong), f"{WRONG}{right}"),  # constructed from the model's own right attempt
    }
    gold, bad = r.task_value.gold(q), r.task_value.answer(wrong)
    row_wrong = {"truth": "wrong", "attempt_answer": bad}
    row_right = {"truth": "correct", "attempt_answer": gold}
    assert r.turn_reward("check", f"{WRONG}{right}", gold, row_wrong) == 1.5  # right verdict, fixed
    assert r.turn_reward("check", " correct", gold, row_wrong) == 0.0  # kept a wrong answer, wrong verdict
    assert r.turn_reward("check", f"{WRONG}{wrong}", gold, row_wrong) == 0.5  # right verdict, failed fix
    assert r.turn_reward("check", " correct", gold, row_right) == 1.5
    assert r.turn_reward("check", f"{WRONG}{right}", gold, row_right) == 1.0  # needless, but right in the end
    assert r.turn_reward("check", " maybe", gold, row_right) == 0.0


def test_process_self_rewarding_e2e(self_train):
    params = {**TINY, "max_steps": 2, "step_tokens": 6}
    table = self_train("word-problems", "process-self-rewarding", 2, params, heldout=4)
    last = table[1]
    for key in ("pass1", "passk", "diversity", "gv_gap", "search_acc", "pairs", "accepted", "dataset"):
        assert key in last, key
    assert last["dataset"] == last["pairs"] and (last["pairs"] == 0) == ("skipped" in last)


def test_process_self_rewarding_pairs_steps_by_the_judges_wins(tmp_path):
    """Scripted: two steps per problem; the judge always prefers the step that holds (it says "2" when the
    second step shown holds); the search continues from the preferred step until an answer."""
    from evoforge.recipes.self_training import _steps
    from evoforge.recipes.self_training.process_self_rewarding import ProcessSelfRewarding, parse_choice

    r, q, right, _ = _recipe(ProcessSelfRewarding, samples=2, max_steps=4)
    r.run_dir, r.current = str(tmp_path), "unused"
    gold_steps = _steps.stripped_steps(right)  # e.g. ["2*3=6", "7+6=13", "13-4=9. Answer: 9"]
    bad = [s.replace("=", "=1", 1) if "=" in s else s + "1" for s in gold_steps]  # arithmetic that fails

    def next_steps(prompts, seed):
        done = [p.count(",") - r.task_value.prompt(q).count(",") for p in prompts]
        return [[" " + bad[d], " " + gold_steps[d]] for d in done]

    def sample(ckpt, prompts, n, seed, temperature=None, max_new_tokens=None):
        if "better step" not in prompts[0]:
            return [[right] * n for _ in prompts]  # the full samples (pass@k monitors)
        out = []
        for p in prompts:
            second = p.split("\nStep 2:")[1].split("\n")[0]
            out.append([" 2" if _steps.holds(_steps.check([second])[0]) else " 1"])
        return out

    r.next_steps, r.sample = next_steps, sample
    kind, rows, mon = r.build([q], 0, None)
    assert kind == "dpo" and len(rows) == len(gold_steps) == mon["pairs"]
    assert [x["chosen"].strip(" ,") for x in rows] == gold_steps
    prompt = r.task_value.prompt(q)
    assert rows[0]["prompt"] == prompt and rows[1]["prompt"] == prompt + " " + gold_steps[0] + ","
    assert mon["judge_acc"] == 1.0 and mon["step_acc"] == 0.5 and mon["search_acc"] == 1.0
    assert parse_choice(" 2.") == 1 and parse_choice(" none") is None


def test_envisions_e2e(self_train):
    table = self_train("program-output", "envisions", 2, TINY, heldout=4)
    last = table[1]
    for key in ("pass1", "passk", "gv_gap", "positives", "negatives", "refined", "exec_ok", "accepted"):
        assert key in last, key
    assert last["refined"] <= last["negatives"]  # every negative sample is refined once
    assert last["positives"] + last["negatives"] == TINY["problems"] * TINY["samples"] + last["refined"]


def test_envisions_refines_negatives_with_execution_feedback_and_pairs_positives_with_negatives(tmp_path):
    from evoforge.recipes.self_training.envisions import Envisions

    r, q, right, wrong = _recipe(Envisions, samples=3, pairs=2)
    r.run_dir, r.current = str(tmp_path), "unused"
    gold = r.task_value.gold(q)
    spurious = f" 2+2=5. Answer: {gold}"  # the right answer through a false equation: a negative
    asked = []

    def sample(ckpt, prompts, n, seed, temperature=None, max_new_tokens=None):
        asked.extend(prompts)
        if "Rewrite the solution" in prompts[0]:
            return [[right] if "2+2 is 4, not 5" in p else [wrong] for p in prompts]
        return [[wrong, spurious, right]]

    r.sample = sample
    kind, rows, mon = r.build([q], 0, None)
    assert kind == "dpo" and (mon["positives"], mon["negatives"], mon["spurious"], mon["refined"]) == (2, 3, 1, 2)
    refine = [p for p in asked if "Rewrite" in p]
    assert any("Execution: 2+2 is 4, not 5." in p for p in refine)  # the execution feedback reaches the model
    assert {(x["prompt"] == r.task_value.prompt(q), x["chosen"], x["rejected"]) for x in rows} == {
        (False, right, spurious),  # the refinement fixed the spurious solution
        (True, right, wrong),
        (True, right, spurious),
    }
    assert mon["gv_gap"] == 0.0 and mon["exec_ok"] == 2 / 3  # the first sample (wrong) was not fixed


def test_scpo_prefers_the_most_voted_answer_and_reports_how_often_the_vote_is_right():
    from evoforge.recipes.self_training.scpo import ScPO

    r, q, right, wrong = _recipe(ScPO, samples=4, min_votes=2)
    q2 = q + " "  # a second problem whose vote is wrong (the same gold answer)
    other = " 1+1=2. Answer: 5"
    r.current = "unused"
    r.sample = lambda ckpt, prompts, k, seed, *a, **kw: [[right, right, right, wrong], [wrong, wrong, right, other]]
    _, rows, mon = r.build([q, q2], 0, None)
    assert [(row["chosen"], row["rejected"]) for row in rows] == [(right, wrong), (wrong, other)]
    assert [row["weight"] for row in rows] == [0.5, 0.25]  # vote margins: (3-1)/4, (2-1)/4
    assert mon["label_acc"] == 0.5 and mon["accepted"] == 2
