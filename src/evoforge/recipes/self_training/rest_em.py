"""ReST-EM, from "Beyond Human Data: Scaling Self-Training for Problem-Solving with Language Models"
(Singh et al., 2023): expectation-maximisation with a binary reward. E-step: sample k solutions per
problem with the latest model, keep the correct ones (at most ``per_problem`` each). M-step: fine-tune
the *base* model (not the latest) on this round's kept solutions."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from ._base import SelfTraining


@register("rest-em")
@dataclass(kw_only=True)
class ReSTEM(SelfTraining):
    summary = "ReST-EM: keep verified samples (capped per problem), retrain from the base each round"

    per_problem: int = param(2, low=1, help="most correct solutions kept per problem")

    def build(self, questions, seed, rng):
        task = self.task_value
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        rows = []
        for q, ss in zip(questions, samples):
            kept = list(dict.fromkeys(s for s in ss if task.correct(q, s)))[: self.per_problem]
            rows += [{"prompt": task.prompt(q), "completion": s} for s in kept]
        mon.update(accepted=len(rows), gv_gap=mon["passk"] - mon["pass1"])
        mon.update(self.own_verification_monitors(questions, samples))
        return "sft", rows, mon
