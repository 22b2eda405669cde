"""Self-Rewarding Language Models (Yuan et al., 2024): the model answers, then judges its own answers
with the additive 5-point LLM-as-a-judge rubric; the best- and worst-judged answers of each problem
form a DPO pair; iterative DPO from the latest model. No labels (they feed the monitors only:
``gv_gap`` is the accuracy of the judge's pick minus pass@1, ``self_pref`` the judge's mean score of
its own answers minus that of gold answers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from . import _dpo_round
from ._base import SelfTraining
from ._dpo_round import dpo_overrides
from ._judge import Judge, mean_score


@register("self-rewarding")
@dataclass(kw_only=True)
class SelfRewarding(SelfTraining):
    summary = "the model judges its own answers (5-point additive rubric); best vs worst to DPO"
    uses_labels: ClassVar[bool] = False
    from_base: ClassVar[bool] = False  # DPO: each round continues from (and is anchored to) the latest model

    beta: float = _dpo_round.beta()
    nll: float = _dpo_round.nll(0.2)
    dpo_lr: float = _dpo_round.dpo_lr()
    mix_seed: bool = _dpo_round.mix_seed()
    problems: int = param(32, low=1, help="training problems per round")
    judge_samples: int = param(1, low=1, help="judgements per answer (their scores are averaged)")
    judge_temperature: float = param(0.0, low=0, help="sampling temperature of the judge")

    def train_overrides(self, kind):
        return {**dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr), "epochs": 1.0}

    def judge(self) -> Judge:
        return Judge(self.sample, self.current, self.judge_samples, self.judge_temperature)

    def build(self, questions, seed, rng):
        task, judge = self.task_value, self.judge()
        prompts = [task.prompt(q) for q in questions]
        samples = self.sample(self.current, prompts, self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        flat_p = [p for p, ss in zip(prompts, samples) for _ in ss]
        flat_a = [s for ss in samples for s in ss]
        scores = [mean_score(js) for js in judge.scores(flat_p, flat_a, seed + 1)]
        k = self.samples
        rows, picked = [], []
        for i, (q, ss) in enumerate(zip(questions, samples)):
            sc = scores[i * k : (i + 1) * k]
            best, worst = int(np.argmax(sc)), int(np.argmin(sc))
            picked.append(task.correct(q, ss[best]))
            if sc[best] > sc[worst] and ss[best] != ss[worst]:
                rows.append({"prompt": prompts[i], "chosen": ss[best], "rejected": ss[worst]})
        mon.update(
            accepted=len(rows),
            gv_gap=float(np.mean(picked)) - mon["pass1"],
            judge_mean=float(np.mean(scores)),
            self_pref=judge.self_preference(task, questions, prompts, scores, seed + 2),
        )
        return "dpo", rows, mon
