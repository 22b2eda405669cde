"""Self-Rewarding Language Models (Yuan et al., 2024): the model answers, then judges its own answers
with the additive 5-point LLM-as-a-judge rubric; the best- and worst-judged answers of each problem
form a DPO pair; iterative DPO from the latest model. No labels (they feed the monitors only:
``gv_gap`` is the accuracy of the judge's pick minus pass@1, ``self_pref`` the judge's mean score of
its own answers minus that of gold answers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from ._dpo_round import DPORound

RUBRIC = (
    "Review the user's question and the answer below using this additive 5-point scoring system:\n"
    "- Add 1 point if the answer is related to the question.\n"
    "- Add a 2nd point if it addresses a substantial part of the question.\n"
    "- Add a 3rd point if it answers the basic elements of the question usefully.\n"
    "- Add a 4th point if it is clearly written, direct and well organised.\n"
    "- Add a 5th point if it is correct and impeccably tailored to the question.\n"
)
_SCORE = re.compile(r"([0-5])")


def judge_prompt(question_prompt: str, answer: str) -> str:
    return f"{RUBRIC}Question and answer:\n{question_prompt}{answer}\nScore (0-5):"


def parse_score(text: str) -> float | None:
    m = _SCORE.search(text)
    return float(m.group(1)) if m else None


@register("self-rewarding")
@dataclass(kw_only=True)
class SelfRewarding(DPORound):
    summary = "the model judges its own answers (5-point additive rubric); best vs worst to DPO"
    uses_labels: ClassVar[bool] = False

    problems: int = param(32, low=1, help="training problems per round")
    judge_samples: int = param(1, low=1, help="judgements per answer (their scores are averaged)")
    judge_temperature: float = param(0.0, low=0, help="sampling temperature of the judge")
    nll: float = param(0.2, low=0, help="weight of the NLL term on the preferred answer")

    def train_overrides(self, kind):
        return {**super().train_overrides(kind), "epochs": 1.0}

    def judge(self, prompts: list[str], answers: list[str], seed: int) -> list[list[float | None]]:
        outs = self.sample(
            self.current,
            [judge_prompt(p, a) for p, a in zip(prompts, answers)],
            self.judge_samples,
            seed,
            temperature=self.judge_temperature,
            max_new_tokens=6,
        )
        return [[parse_score(o) for o in os_] for os_ in outs]

    def build(self, questions, seed, rng):
        T = self.T
        prompts = [T.prompt(q) for q in questions]
        samples = self.sample(self.current, prompts, self.samples, seed)
        mon = sample_monitors(questions, samples, T)
        flat_p = [p for p, ss in zip(prompts, samples) for _ in ss]
        flat_a = [s for ss in samples for s in ss]
        scores = [
            np.mean([x for x in js if x is not None]) if any(x is not None for x in js) else 0.0
            for js in self.judge(flat_p, flat_a, seed + 1)
        ]
        k = self.samples
        rows, picked = [], []
        for i, (q, ss) in enumerate(zip(questions, samples)):
            sc = scores[i * k : (i + 1) * k]
            best, worst = int(np.argmax(sc)), int(np.argmin(sc))
            picked.append(T.correct(q, ss[best]))
            if sc[best] > sc[worst] and ss[best] != ss[worst]:
                rows.append({"prompt": prompts[i], "chosen": ss[best], "rejected": ss[worst]})
        mon.update(
            accepted=len(rows),
            gv_gap=float(np.mean(picked)) - mon["pass1"],
            judge_mean=float(np.mean(scores)),
            self_pref=self.self_preference(questions, prompts, scores, seed + 2),
        )
        return "dpo", rows, mon

    def self_preference(self, questions: list[str], prompts: list[str], scores: list[float], seed: int) -> float:
        """The judge's mean score of its own answers minus its mean score of the gold answers."""
        gold = self.judge(prompts, [self.T.solution(q) for q in questions], seed)
        return float(np.mean(scores) - np.mean([x for js in gold for x in js if x is not None] or [0.0]))
