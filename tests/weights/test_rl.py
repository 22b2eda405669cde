"""The RL update path (GRPO / RLOO through TRL) and the recipes on it, end to end on a tiny random model."""

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge.genomes.weights import models

FIRST_CHAR = str(Path(__file__).with_name("_first_char_task.py"))  # a random model always answers it
TINY = dict(base="tiny", problems=4, samples=2, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=16, group=2)


@pytest.mark.parametrize("algo", ["grpo", "rloo"])
def test_rl_update_scores_cut_completions_with_the_row_columns(algo, weights_dir):
    from evoforge.genomes.weights.rl import RLConfig, rl

    base = models.resolve("tiny")
    rows = [{"prompt": f"Q: {a}+1\nA:", "target": str(a + 1)} for a in range(4)]
    seen: list[tuple[str, str]] = []

    def reward(prompts, completions, target, **columns):
        seen.extend(zip(completions, target))
        return [float(len(c)) for c in completions]  # any number: longer is better

    cfg = RLConfig(algo=algo, group=2, batch_size=4, max_new_tokens=6)
    out = rl(base, rows, reward, weights_dir / algo, cfg)
    assert models.finished(out) and models.read_meta(out)["kind"] == algo
    assert models.chain_of(out) == [str(out)]  # a LoRA adapter on the tiny base
    assert len(seen) == len(rows) * 2  # every completion of every group, each with its own row's column
    assert {t for _, t in seen} == {"1", "2", "3", "4"}
    assert all("\n" not in c for c, _ in seen)
    n = len(seen)
    assert rl(base, rows, reward, weights_dir / algo, cfg) == out and len(seen) == n  # the same update: reused


def test_rl_rejects_bad_settings(weights_dir):
    from evoforge.genomes.weights.rl import RLConfig, rl

    with pytest.raises(ValueError, match="algo"):
        rl("tiny", [{"prompt": "x"}], lambda **k: [], weights_dir / "x", RLConfig(algo="ppo"))
    with pytest.raises(ValueError, match="group"):
        rl("tiny", [{"prompt": "x"}], lambda **k: [], weights_dir / "x", RLConfig(group=1))


@pytest.mark.parametrize(
    ("recipe", "task", "extra"),
    [
        ("grpo", "word-problems", {}),
        ("score", "program-output", {"bonus": 2.0}),
        ("ttrl", FIRST_CHAR, {"samples": 4, "min_share": 0.0}),
        ("ttrl", FIRST_CHAR, {"samples": 4, "min_share": 0.0, "variants": 2, "algo": "rloo"}),
    ],
)
def test_rl_recipe_end_to_end(recipe, task, extra, self_train):
    table = self_train(task, recipe, 2, {**TINY, **extra}, **({} if task == FIRST_CHAR else {"heldout": 6}))
    last = table[1]
    for key in ("pass1", "passk", "diversity", "gv_gap", "accepted", "dataset", "rl_reward", "rl_informative"):
        assert key in last, key
    assert last["dataset"] == last["accepted"] > 0
    meta = models.read_meta(last["checkpoint"])
    assert meta["kind"] == extra.get("algo", "grpo") and Path(last["checkpoint"]).is_dir()
    if recipe == "ttrl":
        assert 0.0 <= last["label_acc"] <= 1.0
    if recipe == "score":  # both turns are trained: the first answers and their revisions
        assert last["dataset"] == 2 * TINY["problems"]
        assert {"first_acc", "second_acc", "fixed", "broken"} <= set(last) and last["stage"] == 1


def test_score_reward_pays_for_fixing_and_charges_for_breaking():
    from evoforge.recipes.self_training.score import SCoRe

    r = SCoRe(bonus=2.0, stage1_rounds=1, stage1_kl=0.3)
    r.task_ref = "word-problems"
    right, wrong = " Answer: 9", " Answer: 8"
    args = (["p1", "p2", "p3", "p4"], [right, right, wrong, right], ["9"] * 4)
    r.round = 2  # stage II
    assert r.reward(*args, first_right=[0, 1, 1, -1]) == [3.0, 1.0, -2.0, 1.0]  # fixed 1+2, kept 1, broken -2, first 1
    assert r.rl_settings() == {}
    r.round = 1  # stage I: only the revision is rewarded; the first turn is held by the KL penalty alone
    assert r.reward(*args, first_right=[0, 1, 1, -1]) == [1.0, 1.0, 0.0, 0.0]
    assert r.rl_settings()["kl"] == 0.3 and "stage1" in r.rl_settings()["reward_name"]
