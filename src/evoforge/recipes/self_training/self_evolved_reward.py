"""Self-Evolved Reward Learning, from "Self-Evolved Reward Learning for LLMs" (Huang et al., 2024): a
reward model trained on a small set of gold-labelled pairs labels the next batch of data itself, keeps
the labels it is most confident of, and is retrained on them, round after round; the policy is then
trained on the reward model's labels.

Here the batch is the policy's own samples: each round the reward model's best and worst of k answers
per problem form a pair, the ``keep`` share with the largest score margin (its Bradley-Terry
probability of the label) is kept, the policy is trained by DPO on those pairs and the reward model is
retrained on the gold pairs plus every pair it kept so far (shared round: ``_rm_labelled.py``).
Not reproduced: the paper's separate unlabelled preference corpora (HH-RLHF, UltraFeedback...), its
stopping rule on the reward model's convergence and its PPO stage (DPO here). Monitors per round:
``rm_acc`` (the labelling reward model's accuracy on right-vs-wrong pairs of the round's fresh
samples), ``label_acc`` / ``filtered_acc`` (how often the kept / dropped labels were right, from gold),
``labelled``, ``accepted`` (kept) and ``filtered``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from evoforge.core.recipe import register, state

from . import _dpo_round, _reward_loop, _rm_labelled
from ._base import SelfTraining
from ._dpo_round import dpo_overrides
from ._rm_labelled import labelled_round


@register("self-evolved-reward")
@dataclass(kw_only=True)
class SelfEvolvedReward(SelfTraining):
    summary = "a reward model from a few gold pairs labels the policy's samples, retrains on its confident labels; DPO"
    from_base: ClassVar[bool] = False  # DPO: each round continues from (and is anchored to) the latest model

    beta: float = _dpo_round.beta()
    nll: float = _dpo_round.nll(0.2)
    dpo_lr: float = _dpo_round.dpo_lr()
    mix_seed: bool = _dpo_round.mix_seed()
    rm_epochs: float = _reward_loop.rm_epochs()
    rm_lr: float = _reward_loop.rm_lr()
    rm_batch: int = _reward_loop.rm_batch()
    rm: str = state("")  # the current reward model's checkpoint
    problems: int = _rm_labelled.problems()
    samples: int = _rm_labelled.samples()
    gold_problems: int = _rm_labelled.gold_problems()
    keep: float = _rm_labelled.keep()
    rm_retrain: bool = _rm_labelled.rm_retrain()
    epochs: float = _rm_labelled.epochs()

    def train_overrides(self, kind):
        return dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr)

    def build(self, questions, seed, rng):
        return labelled_round(self, questions, seed)

    def confidence(self, pairs, margins, mon):
        """The reward model's own probability of the label, sigmoid(score margin)."""
        probs = [1 / (1 + math.exp(-m)) for m in margins]
        mon["label_prob"] = sum(probs) / len(probs)
        return probs
