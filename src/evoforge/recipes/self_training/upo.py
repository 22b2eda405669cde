"""UPO, from "Self-Evolutionary Large Language Models through Uncertainty-Enhanced Preference
Optimization" (Wang et al., 2024): iterative preference optimisation on the model's own samples, where
an estimator's Monte-Carlo-dropout uncertainty about each preference pair decides which pairs are
reliable enough to train on.

Here the estimator is a reward model trained on a few gold-checked pairs; each round the policy samples
k answers per problem, the reward model's best and worst form a pair, the pair's uncertainty is the
spread of the two scores over ``mc`` passes with dropout on the reward head's input (sqrt(sd_chosen^2 +
sd_rejected^2)), the ``keep`` share with the lowest uncertainty is kept and the policy is trained by DPO
on them (shared round: ``_rm_labelled.py``; ``rm_retrain`` also retrains the estimator on the
kept pairs). Not reproduced: the paper's Bayesian estimator on a separate backbone and its sampling of
pairs in proportion to certainty (a hard cut here). Monitors: ``filtered`` (pairs dropped as
uncertain), ``label_acc`` / ``filtered_acc`` (how often the kept / dropped labels were right, from
gold), ``uncertainty`` (mean over the labelled pairs), ``rm_acc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from evoforge.core.recipe import param, register, state
from evoforge.genomes.weights.reward_model import score

from . import _dpo_round, _reward_loop, _rm_labelled
from ._base import SelfTraining
from ._dpo_round import dpo_overrides
from ._rm_labelled import labelled_round


@register("upo")
@dataclass(kw_only=True)
class UPO(SelfTraining):
    summary = "DPO on the model's own pairs labelled by a reward model, kept when MC-dropout uncertainty is low"
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
    rm_retrain: bool = _rm_labelled.rm_retrain(
        False, help="retrain the estimator each round on gold + the pairs it kept"
    )
    epochs: float = _rm_labelled.epochs()
    mc: int = param(8, low=2, help="Monte-Carlo dropout passes per scored text")
    mc_dropout: float = param(0.1, low=0, low_open=True, high=1, high_open=True, help="dropout rate of those passes")

    def train_overrides(self, kind):
        return dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr)

    def build(self, questions, seed, rng):
        return labelled_round(self, questions, seed)

    def confidence(self, pairs, margins, mon):
        """Minus the pair's uncertainty: the spread of its two scores under MC dropout."""
        prompts = [p["prompt"] for p in pairs] * 2
        texts = [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs]
        _, sds = score(self.rm, prompts, texts, samples=self.mc, dropout=self.mc_dropout, seed=self.round)
        n = len(pairs)
        unc = [(sds[i] ** 2 + sds[n + i] ** 2) ** 0.5 for i in range(n)]
        mon["uncertainty"] = sum(unc) / n
        return [-u for u in unc]
