"""Meta-Rewarding Language Models (Wu et al., 2024): the model plays actor, judge and meta-judge. Each
answer is judged ``judgements`` times (5-point rubric); the actor's pair is the top- vs bottom-scored
answer, with length control (among answers scoring within ``length_tol`` of the top, the shortest is
chosen); the meta-judge compares two judgements of one answer, and the preferred vs the other judgement
trains the judge. Actor and judge pairs go to one DPO update from the latest model. No labels (gold
answers are only judged for the ``self_pref`` monitor, as in ``self-rewarding``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from . import _dpo_round
from ._base import SelfTraining
from ._dpo_round import dpo_overrides
from ._judge import Judge, judge_prompt, mean_score, parse_score


def meta_prompt(jprompt: str, a: str, b: str) -> str:
    return (
        f"{jprompt}\n\nTwo judgements of this answer follow. Which judgement is more accurate?\n"
        f"Judgement A:{a}\nJudgement B:{b}\nBetter judgement (A or B):"
    )


@register("meta-rewarding")
@dataclass(kw_only=True)
class MetaRewarding(SelfTraining):
    summary = "actor + judge + meta-judge: DPO on answers (length-controlled) and on judgements"
    uses_labels: ClassVar[bool] = False
    from_base: ClassVar[bool] = False  # DPO: each round continues from (and is anchored to) the latest model

    beta: float = _dpo_round.beta()
    nll: float = _dpo_round.nll(0.2)
    dpo_lr: float = _dpo_round.dpo_lr()
    mix_seed: bool = _dpo_round.mix_seed()
    problems: int = param(32, low=1, help="training problems per round")
    judge_samples: int = param(1, low=1, help="judgements per answer (their scores are averaged)")
    judge_temperature: float = param(0.8, low=0, help="sampling temperature of the judge")
    judgements: int = param(2, low=1, help="judgements per answer (two differing ones feed the meta-judge)")
    length_tol: float = param(0.5, low=0, help="answers within this of the top score compete on length")
    max_judge_pairs: int = param(16, low=0, help="most meta-judged judgement pairs per round")

    def train_overrides(self, kind):
        return {**dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr), "epochs": 1.0}

    def build(self, questions, seed, rng):
        task = self.task_value
        prompts = [task.prompt(q) for q in questions]
        samples = self.sample(self.current, prompts, self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        flat_p = [p for p, ss in zip(prompts, samples) for _ in ss]
        flat_a = [s for ss in samples for s in ss]
        jprompts = [judge_prompt(p, a) for p, a in zip(flat_p, flat_a)]
        judged = Judge(self.sample, self.current, self.judgements, self.judge_temperature).judgements(
            flat_p, flat_a, seed + 1
        )
        scores = [mean_score([parse_score(j) for j in js]) for js in judged]
        k, rows, picked = self.samples, [], []
        for i, (q, ss) in enumerate(zip(questions, samples)):
            sc = np.array(scores[i * k : (i + 1) * k])
            near = [j for j in range(k) if sc[j] >= sc.max() - self.length_tol]
            best = min(near, key=lambda j: (len(ss[j]), -sc[j]))  # length control
            worst = int(np.argmin(sc))
            picked.append(task.correct(q, ss[best]))
            if sc[best] > sc[worst] and ss[best] != ss[worst]:
                rows.append({"prompt": prompts[i], "chosen": ss[best], "rejected": ss[worst]})
        # meta-judge: which of two differing judgements of the same answer is better
        cands = [
            (jp, js[0], js[1])
            for jp, js in zip(jprompts, judged)
            if len(js) > 1 and parse_score(js[0]) != parse_score(js[1])
        ][: self.max_judge_pairs]
        verdicts = (
            self.sample(
                self.current,
                [meta_prompt(jp, a, b) for jp, a, b in cands],
                1,
                seed + 2,
                temperature=0.0,
                max_new_tokens=3,
            )
            if cands
            else []
        )
        judge_rows = 0
        for (jp, a, b), v in zip(cands, verdicts):
            m = re.search(r"[AB]", v[0])
            if m:
                win, lose = (a, b) if m.group(0) == "A" else (b, a)
                rows.append({"prompt": jp, "chosen": win, "rejected": lose})
                judge_rows += 1
        judge = Judge(self.sample, self.current, self.judge_samples, self.judge_temperature)
        mon.update(
            accepted=len(rows) - judge_rows,
            judge_pairs=judge_rows,
            gv_gap=float(np.mean(picked)) - mon["pass1"],
            judge_mean=float(np.mean(scores)),
            self_pref=judge.self_preference(task, questions, prompts, scores, seed + 3),
        )
        return "dpo", rows, mon
