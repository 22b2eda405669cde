"""The recipes that train a reward model in their loop (self-motivated, rm-guided, self-evolved-reward,
upo), end to end on a tiny random model, and their pair helpers."""

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge import api
from evoforge.weights import models, rounds

PARITY = str(Path(__file__).with_name("_parity_task.py"))  # a random model is right about half the time
TINY = dict(base="tiny", problems=6, samples=4, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=32, rm_batch=4)


def _run(recipe, extra, tmp_path, budget=3):
    res = api.evolve(
        PARITY,
        recipe,
        budget=budget,
        seed=1,
        out=tmp_path / "run.db",
        executor="inprocess",
        recipe_params={**TINY, **extra},
    )
    assert res.evaluations == budget
    table = rounds(res.path)
    assert [r["round"] for r in table] == list(range(budget)) and table[0]["operator"] == "warm-start"
    assert all(r["status"] == "ok" for r in table)
    return table


def test_self_motivated_trains_a_reward_model_and_rl_on_it(weights_dir, tmp_path):
    table = _run("self-motivated", {"group": 2}, tmp_path)
    for last in table[1:]:
        assert last["rm_pairs"] > 0 and 0.0 <= last["rank_acc"] <= 1.0
        assert last["rank_acc"] == 1.0  # rank=answer: a right rationale always over a wrong one
        assert 0.0 <= last["rm_acc"] <= 1.0 and "rl_reward" in last
        assert models.read_meta(last["checkpoint"])["kind"] == "grpo"
    assert table[2]["rm_pairs"] > table[1]["rm_pairs"]  # the ranks accumulate over rounds


@pytest.mark.parametrize("filter_correct", [False, True])
def test_rm_guided_picks_one_sample_per_problem_and_reports_how_often_it_is_right(filter_correct, weights_dir, tmp_path):
    table = _run("rm-guided", {"rm_problems": 6, "filter_correct": filter_correct}, tmp_path, budget=2)
    last = table[1]
    assert last["rm_pairs"] > 0 and 0.0 <= last["rm_acc"] <= 1.0
    assert last["generated"] == (6 + 6) * 4  # both halves sampled; only the picking half feeds pass@1
    assert 0 < last["accepted"] <= 6 and last["dataset"] == last["accepted"] + 8  # + the 4 warm-start rows and 4 hinted
    assert last["gv_gap"] == pytest.approx(last["pick_acc"] - last["pass1"])
    if filter_correct:
        assert last["pick_acc"] == 1.0
    assert models.read_meta(last["checkpoint"])["kind"] == "sft"


@pytest.mark.parametrize("recipe", ["self-evolved-reward", "upo"])
def test_reward_model_labels_the_policys_pairs_and_keeps_the_confident_ones(recipe, weights_dir, tmp_path):
    table = _run(recipe, {"gold_problems": 6, "keep": 0.5, **({"mc": 4} if recipe == "upo" else {})}, tmp_path)
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


def test_self_evolved_reward_resumes_a_round_killed_after_its_reward_model_was_retrained(weights_dir, tmp_path, monkeypatch):
    """A crash between the reward model's retraining and the policy's update: the resumed run labels
    with the reward model of the last committed round and ends where an uninterrupted run does."""
    from evoforge.recipes._rm_labelled import RMLabelledDPO

    params = {**TINY, "gold_problems": 6}
    ref = rounds(
        api.evolve(PARITY, "self-evolved-reward", budget=3, seed=4, out=tmp_path / "ref.db", executor="inprocess",
                   recipe_params={**params, "workdir": str(tmp_path / "ref")}).path
    )
    real = RMLabelledDPO.update

    def crash_in_round_two(self, kind, start, rows, out, monitors):
        if self.round == 2:
            assert self.rm.endswith("rm-02")  # retrained before the crash
            raise KeyboardInterrupt
        return real(self, kind, start, rows, out, monitors)

    monkeypatch.setattr(RMLabelledDPO, "update", crash_in_round_two)
    killed = tmp_path / "killed.db"
    with pytest.raises(KeyboardInterrupt):
        api.evolve(PARITY, "self-evolved-reward", budget=3, seed=4, out=killed, executor="inprocess", recipe_params=params)
    monkeypatch.setattr(RMLabelledDPO, "update", real)
    got = rounds(api.resume(killed).path)
    assert [r["round"] for r in got] == [0, 1, 2]
    for key in ("score", "rm_acc", "label_acc", "accepted", "label_prob"):
        assert [r.get(key) for r in got] == [r.get(key) for r in ref], key
