"""Learned reward models (TRL RewardTrainer on a copied backbone) on a tiny random model."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

from evoforge.genomes.weights import models


@pytest.mark.parametrize("lora", [True, False])
def test_reward_model_learns_a_preference_and_scores_texts(lora, weights_dir):
    from evoforge.genomes.weights.reward_model import (
        RMConfig,
        is_reward_model,
        pair_accuracy,
        score,
        train_reward_model,
    )

    base = models.resolve("tiny")
    pairs = [{"prompt": f"Q: {a}+1\nA:", "chosen": " 7", "rejected": " 3"} for a in range(8)]
    held = [{"prompt": f"Q: {a}+2\nA:", "chosen": " 7", "rejected": " 3"} for a in range(20, 26)]
    cfg = RMConfig(lora=lora, epochs=8, batch_size=4, lr=3e-3 if lora else 1e-3)
    out = train_reward_model(base, pairs, weights_dir / "rm", cfg)
    assert is_reward_model(out) and not is_reward_model(base)
    assert pair_accuracy(out, held) == 1.0  # the preference generalises to prompts it never saw
    means, stds = score(out, ["Q: 1+1\nA:"] * 2, [" 7", " 3"], samples=8, dropout=0.5)
    assert means[0] > means[1] and all(s > 0 for s in stds)
    assert score(out, ["Q: 1+1\nA:"], [" 7"]) == score(out, ["Q: 1+1\nA:"], [" 7"])  # no dropout: deterministic
    assert train_reward_model(base, pairs, weights_dir / "rm", cfg) == out  # the same update: reused


def test_reward_model_refuses_rows_that_are_not_pairs(weights_dir):
    from evoforge.genomes.weights.reward_model import train_reward_model

    with pytest.raises(ValueError, match="chosen"):
        train_reward_model("tiny", [{"prompt": "x", "completion": "y"}], weights_dir / "rm")


def test_scores_equal_the_classifier_forward_on_padded_batches(weights_dir):
    import torch

    from evoforge.genomes.weights.reward_model import RMConfig, load_reward_model, score, train_reward_model

    pairs = [{"prompt": f"Q: {a}\nA:", "chosen": " 12", "rejected": " 3456789"} for a in range(4)]
    out = train_reward_model(models.resolve("tiny"), pairs, weights_dir / "rm", RMConfig(epochs=2, batch_size=4))
    prompts, completions = ["Q: 1\nA:", "Q: 22222\nA:", "Q:"], [" 1", " 333", " 4444444"]  # lengths differ
    model, tok = load_reward_model(out)
    enc = tok([p + c for p, c in zip(prompts, completions)], return_tensors="pt", padding=True)
    with torch.no_grad():
        expected = model(**enc).logits[:, 0].tolist()
    assert score(out, prompts, completions) == pytest.approx(expected, abs=1e-5)
