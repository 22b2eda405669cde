"""The model as LLM-as-a-judge of its own answers, for ``self-rewarding`` and ``meta-rewarding``: the
additive 5-point rubric of "Self-Rewarding Language Models" (Yuan et al., 2024), the score parsed from
the judgement, and the judge's self-preference (its mean score of its own answers minus that of the
gold answers: a monitor, from labels the update never sees)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evoforge.genomes.weights.task import WeightsTask

RUBRIC = (
    "Review the user's question and the answer below using this additive 5-point scoring system:\n"
    "- Add 1 point if the answer is related to the question.\n"
    "- Add a 2nd point if it addresses a substantial part of the question.\n"
    "- Add a 3rd point if it answers the basic elements of the question usefully.\n"
    "- Add a 4th point if it is clearly written, direct and well organised.\n"
    "- Add a 5th point if it is correct and impeccably tailored to the question.\n"
)
_SCORE = re.compile(r"([0-5])")
JUDGE_TOKENS = 6

Sampler = Callable[..., list[list[str]]]  # SelfTraining.sample: (ckpt, prompts, n, seed, temperature=, ...)


def judge_prompt(question_prompt: str, answer: str) -> str:
    return f"{RUBRIC}Question and answer:\n{question_prompt}{answer}\nScore (0-5):"


def parse_score(text: str) -> float | None:
    m = _SCORE.search(text)
    return float(m.group(1)) if m else None


def mean_score(scores: Sequence[float | None]) -> float:
    """The mean of the parsed scores of one answer (0 when none parsed)."""
    parsed = [x for x in scores if x is not None]
    return float(np.mean(parsed)) if parsed else 0.0


@dataclass
class Judge:
    """``checkpoint`` judging answers, ``samples`` judgements each at ``temperature``, through ``sample``."""

    sample: Sampler
    checkpoint: str
    samples: int = 1
    temperature: float = 0.0

    def judgements(self, prompts: Sequence[str], answers: Sequence[str], seed: int) -> list[list[str]]:
        """The judgements' texts, ``samples`` per (prompt, answer)."""
        asks = [judge_prompt(p, a) for p, a in zip(prompts, answers)]
        return self.sample(
            self.checkpoint, asks, self.samples, seed, temperature=self.temperature, max_new_tokens=JUDGE_TOKENS
        )

    def scores(self, prompts: Sequence[str], answers: Sequence[str], seed: int) -> list[list[float | None]]:
        """The parsed score of every judgement (None: the judge gave none)."""
        return [[parse_score(o) for o in outs] for outs in self.judgements(prompts, answers, seed)]

    def self_preference(
        self, task: WeightsTask, questions: Sequence[str], prompts: Sequence[str], scores: Sequence[float], seed: int
    ) -> float:
        """The judge's mean score of its own answers (``scores``) minus its mean score of the gold answers."""
        gold = self.scores(prompts, [task.solution(q) for q in questions], seed)
        return float(np.mean(scores) - np.mean([x for js in gold for x in js if x is not None] or [0.0]))
