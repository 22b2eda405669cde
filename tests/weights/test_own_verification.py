"""The generation-verification gap from the model's own verdicts: the arithmetic on known verdicts, and
the verdicts of a real (tiny) checkpoint."""

import pytest

from evoforge.genomes.weights import own_verification as ov


class _Task:
    """Answers are the text; the gold answer of question q is q."""

    def prompt(self, q):
        return f"{q}?"

    def correct(self, q, s):
        return s == q


def test_gap_precision_and_pick_on_known_verdicts(monkeypatch):
    # question "a": samples a (right), b (wrong); question "c": samples d (wrong), c (right)
    scores = {"a?a": 2.0, "a?b": 1.0, "c?d": 0.5, "c?c": -1.0}
    monkeypatch.setattr(ov, "verdict_scores", lambda ckpt, prompts: [scores[p.removesuffix(ov.ASK)] for p in prompts])
    got = ov.own_verification("ckpt", _Task(), ["a", "c"], [["a", "b"], ["d", "c"]])
    assert got["sv_accept"] == 0.75  # three verdicts say yes
    assert got["sv_acc"] == 0.25  # verdict matches truth only for a (yes, right); b, d yes but wrong; c no but right
    assert got["sv_precision"] == pytest.approx(1 / 3) and got["sv_gap"] == pytest.approx(1 / 3 - 0.5)
    assert got["sv_pick_acc"] == 0.5  # best of a: a (right); best of c: d (wrong)


def test_no_sample_judged_right_has_no_precision(monkeypatch):
    monkeypatch.setattr(ov, "verdict_scores", lambda ckpt, prompts: [-1.0] * len(prompts))
    got = ov.own_verification("ckpt", _Task(), ["a"], [["a", "b"]])
    assert got["sv_precision"] is None and got["sv_gap"] is None and got["sv_accept"] == 0.0


def test_verdicts_of_a_real_checkpoint(weights_dir):
    pytest.importorskip("torch")
    from evoforge.core.task import load_task
    from evoforge.genomes.weights import models

    task = load_task("word-problems", {"heldout": 2}).value
    qs = task.heldout_problems()
    samples = [[task.solution(q), " Answer: -1"] for q in qs]  # one right, one wrong sample each
    got = ov.own_verification(models.resolve("tiny"), task, qs, samples)
    assert set(got) == {"sv_acc", "sv_accept", "sv_precision", "sv_gap", "sv_pick_acc"}
    assert 0 <= got["sv_acc"] <= 1 and got["sv_pick_acc"] in (0.0, 0.5, 1.0)
    scores = ov.verdict_scores(models.resolve("tiny"), [ov.verify_prompt(task.prompt(q), s) for q in qs for s in ["x"]])
    assert len(scores) == 2 and all(isinstance(v, float) for v in scores)


@pytest.mark.parametrize("recipe", ["star", "rest-em", "scpo"])
def test_a_round_records_the_own_verification_gap_when_asked(self_train, recipe):
    pytest.importorskip("torch")
    tiny = dict(base="tiny", problems=3, samples=2, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=16)
    table = self_train("word-problems", recipe, 2, {**tiny, "own_verify": True}, heldout=4)
    assert 0.0 <= table[1]["sv_acc"] <= 1.0 and "sv_gap" in table[1]
    plain = self_train("word-problems", recipe, 2, tiny, heldout=4, out="plain.db")
    assert "sv_acc" not in plain[1]
