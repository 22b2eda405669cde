"""ScPO, from "Self-Consistency Preference Optimization" (Prasad et al., 2024): no labels. Sample k
answers per problem; the most-voted answer is preferred to the least-voted one; pairs whose winner has
fewer than ``min_votes`` votes are dropped; the loss is DPO plus an NLL term, each pair weighted by its
vote margin (v+ - v-)/k. Iterative: each round starts from (and is anchored to) the latest model.
``label_acc`` (a monitor, from the gold answers the update never sees) is how often a kept pair's
preferred answer is right: the precision of the vote as a label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors, votes

from . import _dpo_round
from ._base import SelfTraining
from ._dpo_round import dpo_overrides


@register("scpo")
@dataclass(kw_only=True)
class ScPO(SelfTraining):
    summary = "self-consistency preference optimisation: most- vs least-voted, margin-weighted DPO+NLL"
    uses_labels: ClassVar[bool] = False
    from_base: ClassVar[bool] = False  # DPO: each round continues from (and is anchored to) the latest model

    beta: float = _dpo_round.beta()
    nll: float = _dpo_round.nll()
    dpo_lr: float = _dpo_round.dpo_lr()
    mix_seed: bool = _dpo_round.mix_seed()
    samples: int = param(8, low=1, help="k answers per problem (the votes)")
    epochs: float = param(1.0, low=0, low_open=True, help="passes over each round's pairs")
    min_votes: int = param(3, low=1, help="the winner needs at least this many of the k votes")

    def train_overrides(self, kind):
        return dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr)

    def build(self, questions, seed, rng):
        task = self.task_value
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, task)  # monitors only: the update never sees a label
        rows, right = [], 0
        for q, ss in zip(questions, samples):
            v = votes(ss, task)
            if not v:
                continue
            (top, vt), (low, vl) = v.most_common()[0], v.most_common()[-1]
            if vt < self.min_votes:
                continue
            chosen = next(s for s in ss if task.answer(s) == top)
            if low == top:  # a unanimous answer: prefer it to an unformatted sample, if any
                rejected = next((s for s in ss if task.answer(s) is None), None)
                vl = 0
            else:
                rejected = next(s for s in ss if task.answer(s) == low)
            if rejected is None:
                continue
            rows.append(
                {"prompt": task.prompt(q), "chosen": chosen, "rejected": rejected, "weight": (vt - vl) / len(ss)}
            )
            right += task.correct(q, chosen)
        mon.update(accepted=len(rows), gv_gap=mon["majk"] - mon["pass1"])
        if rows:
            mon["label_acc"] = right / len(rows)
        mon.update(self.own_verification_monitors(questions, samples))
        return "dpo", rows, mon
