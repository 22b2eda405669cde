"""The recipes that train a reward model in their loop (self-motivated, rm-guided, self-evolved-reward,
upo), end to end on a tiny random model, and their pair helpers."""

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge.genomes.weights import models, rounds
from evoforge.run import api

PARITY = str(Path(__file__).with_name("_parity_task.py"))  # a random model is right about half the time
TINY = dict(base="tiny", problems=6, samples=4, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=32, rm_batch=4)


def test_self_motivated_trains_a_reward_model_and_rl_on_it(self_train):
    table = self_train(PARITY, "self-motivated", 3, {**TINY, "group": 2})
    for last in table[1:]:
        assert last["rm_pairs"] > 0 and 0.0 <= last["rank_acc"] <= 1.0
        assert last["rank_acc"] == 1.0  # rank=answer: a right rationale always over a wrong one
        assert 0.0 <= last["rm_acc"] <= 1.0 and "rl_reward" in last
        assert models.read_meta(last["checkpoint"])["kind"] == "grpo"
    assert table[2]["rm_pairs"] > table[1]["rm_pairs"]  # the ranks accumulate over rounds


def test_self_motivated_ranks_by_vote_without_labels(self_train):
    last = self_train(PARITY, "self-motivated", 2, {**TINY, "group": 2, "rank": "vote", "algo": "rloo"})[1]
    assert last["rm_pairs"] > 0 and 0.0 <= last["rank_acc"] <= 1.0 and 0.0 <= last["rm_acc"] <= 1.0
    assert models.read_meta(last["checkpoint"])["kind"] == "rloo"


def test_self_motivated_rewards_the_reward_models_score_not_the_label(monkeypatch):
    from evoforge.genomes.weights.rl import RLConfig
    from evoforge.recipes.self_training import self_motivated
    from evoforge.recipes.self_training._rl_round import RLRound

    monkeypatch.setattr(self_motivated, "score", lambda path, prompts, texts: [len(t) / 10 for t in texts])
    r = self_motivated.SelfMotivated()
    r.rm, r.task_ref = "rm-01", "word-problems"
    update = RLRound(r.task_value, RLConfig())  # what the update hands the trainer: the reward, recording
    got = update.recording(r.reward)(["p", "p"], [" Answer: 9", " Answer: 10"], ["9", "9"], question=["q", "q"])
    assert got == [1.0, 1.1]  # the wrong answer scores higher: the learned reward decides, not the checker
    assert update.seen == {"p": ("9", [" Answer: 9", " Answer: 10"])}  # recorded for the reward model's accuracy


@pytest.mark.parametrize("filter_correct", [False, True])
def test_rm_guided_picks_one_sample_per_problem_and_reports_how_often_it_is_right(filter_correct, self_train):
    table = self_train(PARITY, "rm-guided", 2, {**TINY, "rm_problems": 6, "filter_correct": filter_correct})
    last = table[1]
    assert last["rm_pairs"] > 0 and 0.0 <= last["rm_acc"] <= 1.0
    assert last["generated"] == (6 + 6) * 4  # both halves sampled; only the picking half feeds pass@1
    assert 0 < last["accepted"] <= 6 and last["dataset"] == last["accepted"] + 8  # + the 4 warm-start rows and 4 hinted
    assert last["gv_gap"] == pytest.approx(last["pick_acc"] - last["pass1"])
    if filter_correct:
        assert last["pick_acc"] == 1.0
    assert models.read_meta(last["checkpoint"])["kind"] == "sft"


@pytest.mark.parametrize("recipe", ["self-evolved-reward", "upo"])
def test_reward_model_labels_the_policys_pairs_and_keeps_the_confident_ones(recipe, self_train):
    params = {**TINY, "gold_problems": 6, "keep": 0.5, **({"mc": 4} if recipe == "upo" else {})}
    table = self_train(PARITY, recipe, 3, params)
    first, last = table[1], table[2]
    assert first["gold_pairs"] > 0 and "gold_pairs" not in last  # gold labels once, in the first round
    for r in (first, last):
        assert r["labelled"] > 0 and r["accepted"] == -(-r["labelled"] // 2)  # the confident half, rounded up
        assert r["filtered"] == r["labelled"] - r["accepted"] and r["dataset"] == r["accepted"]
        assert 0.0 <= r["rm_acc"] <= 1.0
        assert models.read_meta(r["checkpoint"])["kind"] == "dpo"
    rms = sorted(p.name for p in Path(first["checkpoint"]).parent.glob("rm-*"))
    assert rms == (["rm-00", "rm-01", "rm-02"] if recipe == "self-evolved-reward" else ["rm-00"])  # SER retrains
    assert ("uncertainty" in last) == (recipe == "upo") and ("label_prob" in last) == (recipe != "upo")


@pytest.mark.slow  # ~15 s: two runs of three rounds
def test_self_evolved_reward_resumes_a_round_killed_after_its_reward_model_was_retrained(
    weights_dir, tmp_path, monkeypatch
):
    """A crash between the reward model's retraining and the policy's update: the resumed run labels
    with the reward model of the last committed round and ends where an uninterrupted run does."""
    from evoforge.recipes.self_training.self_evolved_reward import SelfEvolvedReward

    params = {**TINY, "gold_problems": 6}
    ref = rounds(
        api.evolve(
            PARITY,
            "self-evolved-reward",
            budget=3,
            seed=4,
            out=tmp_path / "ref.db",
            executor="inprocess",
            recipe_params={**params, "workdir": str(tmp_path / "ref")},
        ).path
    )
    real = SelfEvolvedReward.update

    def crash_in_round_two(self, kind, start, rows, out, monitors):
        if self.round == 2:
            assert self.rm.endswith("rm-02")  # retrained before the crash
            raise KeyboardInterrupt
        return real(self, kind, start, rows, out, monitors)

    monkeypatch.setattr(SelfEvolvedReward, "update", crash_in_round_two)
    killed = tmp_path / "killed.db"
    with pytest.raises(KeyboardInterrupt):
        api.evolve(
            PARITY, "self-evolved-reward", budget=3, seed=4, out=killed, executor="inprocess", recipe_params=params
        )
    monkeypatch.setattr(SelfEvolvedReward, "update", real)
    got = rounds(api.resume(killed).path)
    assert [r["round"] for r in got] == [0, 1, 2]
    for key in ("score", "rm_acc", "label_acc", "accepted", "label_prob"):
        assert [r.get(key) for r in got] == [r.get(key) for r in ref], key


def test_pairs_rank_right_over_wrong_and_majority_over_the_rest():
    from evoforge.recipes.self_training._reward_loop import best_worst, checked_pairs, label_accuracy, vote_pairs
    from evoforge.tasks.weights.word_problems import TASK as T

    q = "Ann has 7 apples. Ann buys 2 packs of 3. Ann gives away 4. How many apples does Ann have now?"
    right, wrong, other = " 2*3=6, 7+6=13, 13-4=9. Answer: 9", " Answer: 8", " Answer: 5"
    pairs = checked_pairs(T, [q, q], [[wrong, right, right, other], [wrong, wrong]])
    assert [(p["chosen"], p["rejected"]) for p in pairs] == [(right, wrong)]  # distinct texts, one pair each
    with_gold = checked_pairs(T, [q], [[wrong, other]], gold=True)
    assert [(p["chosen"], p["rejected"]) for p in with_gold] == [(T.solution(q), wrong)]
    votes = vote_pairs(T, [q], [[wrong, " so: Answer: 8", other, right]])
    assert [(p["chosen"], p["rejected"]) for p in votes] == [(wrong, other), (" so: Answer: 8", right)]
    assert label_accuracy(T, pairs) == 1.0 and label_accuracy(T, votes) == 0.0  # wrong vs wrong is not judged
    assert label_accuracy(T, checked_pairs(T, [q], [[wrong, other]])) is None
    got = best_worst(
        ["p1", "p2", "p3"], [["a", "b", "c"], ["x", "x"], ["d", "e"]], [0.1, 0.9, -2.0, 5.0, 5.0, 1.0, 3.0]
    )
    assert got == [(0, 1, 2, pytest.approx(2.9)), (2, 1, 0, pytest.approx(2.0))]  # identical samples: no pair


def test_upo_keeps_the_pairs_whose_scores_spread_least_under_dropout(monkeypatch):
    from evoforge.recipes.self_training import upo

    sds = {"c0": 0.1, "r0": 0.1, "c1": 2.0, "r1": 0.0, "c2": 0.3, "r2": 0.4}

    def fake_score(path, prompts, texts, *, samples, dropout, seed):
        assert samples == 8 and dropout == 0.1
        return [0.0] * len(texts), [sds[t] for t in texts]

    monkeypatch.setattr(upo, "score", fake_score)
    recipe, mon = upo.UPO(), {}
    pairs = [{"prompt": "p", "chosen": f"c{i}", "rejected": f"r{i}"} for i in range(3)]
    conf = recipe.confidence(pairs, [9.0, 9.0, 9.0], mon)
    assert sorted(range(3), key=lambda i: -conf[i]) == [0, 2, 1]  # the margin plays no part, the spread does
    assert mon["uncertainty"] == pytest.approx((0.02**0.5 + 2.0 + 0.5) / 3)
