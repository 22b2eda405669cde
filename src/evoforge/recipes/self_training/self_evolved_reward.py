"""Self-Evolved Reward Learning, from "Self-Evolved Reward Learning for LLMs" (Huang et al., 2024): a
reward model trained on a small set of gold-labelled pairs labels the next batch of data itself, keeps
the labels it is most confident of, and is retrained on them, round after round; the policy is then
trained on the reward model's labels.

Here the batch is the policy's own samples: each round the reward model's best and worst of k answers
per problem form a pair, the ``keep`` share with the largest score margin (its Bradley-Terry
probability of the label) is kept, the policy is trained by DPO on those pairs and the reward model is
retrained on the gold pairs plus every pair it kept so far (shared round: ``recipes/_rm_labelled.py``).
Not reproduced: the paper's separate unlabelled preference corpora (HH-RLHF, UltraFeedback...), its
stopping rule on the reward model's convergence and its PPO stage (DPO here). Monitors per round:
``rm_acc`` (the labelling reward model's accuracy on right-vs-wrong pairs of the round's fresh
samples), ``label_acc`` / ``filtered_acc`` (how often the kept / dropped labels were right, from gold),
``labelled``, ``accepted`` (kept) and ``filtered``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evoforge.core.recipe import register

from ._rm_labelled import RMLabelledDPO


@register("self-evolved-reward")
@dataclass(kw_only=True)
class SelfEvolvedReward(RMLabelledDPO):
    summary = "a reward model from a few gold pairs labels the policy's samples, retrains on its confident labels; DPO"

    def confidence(self, pairs, margins, mon):
        """The reward model's own probability of the label, sigmoid(score margin)."""
        probs = [1 / (1 + math.exp(-m)) for m in margins]
        mon["label_prob"] = sum(probs) / len(probs)
        return probs
