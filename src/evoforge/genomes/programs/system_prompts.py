"""Evolving the system prompt that program mutations are asked under: Promptbreeder's hypermutation
("Promptbreeder", Fernando et al., 2023) applied to the instruction the code model gets. A UCB bandit
picks one of a few system prompts for each model call and credits it with the children that beat their
parent; every ``hyper_every`` model children the model rewrites the least successful prompt."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .bandit import Bandit
from .templates import SYSTEM

STARTERS = [
    SYSTEM,
    "You are a careful algorithm engineer. Make one small, concrete change that should raise the score. Be brief.",
    "You are a competitive programmer. Try one bold new idea for the heuristic. Be brief.",
    "You are an expert in numerical heuristics. Change a term or a constant of the formula to improve it. Be brief.",
]

HYPER = (
    'An AI that improves Python functions is given this instruction:\n"{text}"\n'
    "Functions it wrote under this instruction improved {wins} of {pulls} times. Write a better instruction "
    "of one or two sentences for it. Answer with the instruction only."
)


def clean_instruction(answer: str) -> str | None:
    """The instruction in a model's answer, or None when the answer is not a usable one."""
    text = answer.strip().split("\n\n")[0].strip()
    text = re.sub(r"^(new |better |improved )?instruction:\s*", "", text, flags=re.IGNORECASE).strip().strip("\"'")
    if "```" in text or "def " in text or not 20 <= len(text) <= 400 or len(re.findall(r"[A-Za-z]", text)) < 15:
        return None
    return text


@dataclass
class SystemPrompts:
    """A few system prompts, their successes, and a version per slot (bumped when a slot is rewritten,
    so children made under the old text do not credit the new one)."""

    texts: list[str]
    c: float = 0.3
    versions: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bandit = Bandit([str(i) for i in range(len(self.texts))], self.c)
        self.versions = self.versions or [0] * len(self.texts)
        self.rewrites = 0

    @classmethod
    def starting(cls, k: int, c: float) -> SystemPrompts:
        return cls([STARTERS[i % len(STARTERS)] for i in range(k)], c)

    def choose(self, rng: np.random.Generator) -> tuple[int, int]:
        slot = int(self.bandit.choose(rng))
        return slot, self.versions[slot]

    def credit(self, slot: int, version: int, reward: float) -> None:
        if 0 <= slot < len(self.texts) and self.versions[slot] == version:
            self.bandit.update(str(slot), reward)

    def worst(self) -> int:
        """The slot with the lowest success rate among those tried at least twice (else the least tried)."""
        tried = [i for i in range(len(self.texts)) if self.bandit.pulls[str(i)] >= 2]
        if not tried:
            return min(range(len(self.texts)), key=lambda i: self.bandit.pulls[str(i)])
        return min(tried, key=lambda i: self.bandit.wins[str(i)] / self.bandit.pulls[str(i)])

    def hyper_prompt(self, slot: int) -> str:
        key = str(slot)
        return HYPER.format(text=self.texts[slot], wins=int(self.bandit.wins[key]), pulls=self.bandit.pulls[key])

    def rewrite(self, slot: int, text: str) -> None:
        self.texts[slot] = text
        self.versions[slot] += 1
        self.bandit.pulls[str(slot)], self.bandit.wins[str(slot)] = 0, 0.0
        self.rewrites += 1
