"""SCoRe, from "Training Language Models to Self-Correct via Reinforcement Learning" (Kumar et al.,
2024), on the RL path: two turns. The model answers a problem; the answer is shown back with a request
to revise it.

- **Stage I** (the first ``stage1_rounds`` rounds): only the revision is rewarded (right or not); the
  first turn gets no reward, only a KL penalty of weight ``stage1_kl`` to the round's starting model, so
  the model learns to revise while its first answers stay where they were (the paper's initialisation
  that keeps stage II from collapsing into "never change the first answer").
- **Stage II** (the rounds after): the revision is rewarded for being right plus a *correction bonus*
  ``bonus * (right now - right before)`` (fixing a wrong first answer pays, breaking a right one
  costs); first-turn answers are trained too (plain verifier reward), so both turns improve.

First answers are sampled before the update from the round's model (off-line first turn; the paper
samples both turns on-line).
The score is the task's held-out accuracy (first turn, greedy); ``first_acc``, ``second_acc``,
``fixed`` (wrong -> right) and ``broken`` (right -> wrong) on the round's problems say what the second
turn does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.recipe import param, register

from . import _rl_round
from ._base import SelfTraining
from ._rl_round import verifier_reward

REVISE = "\nCheck the answer above and correct it if it is wrong.\nA:"


@register("score")
@dataclass(kw_only=True)
class SCoRe(SelfTraining):
    summary = "two-turn self-correction by RL, with a bonus for fixing a wrong first answer"
    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model

    algo: str = _rl_round.algo()
    group: int = _rl_round.group()
    rl_temperature: float = _rl_round.rl_temperature()
    kl: float = _rl_round.kl()
    rl_lr: float = _rl_round.rl_lr()
    epochs: float = _rl_round.epochs()
    train_batch: int = _rl_round.train_batch()
    problems: int = param(32, low=1, help="training problems per round")
    bonus: float = param(1.0, low=0, help="correction bonus: times (right after revising - right before)")
    stage1_rounds: int = param(1, low=0, help="rounds of stage I (reward the revision only, first turn held by KL)")
    stage1_kl: float = param(0.1, low=0, help="stage I: KL weight to the round start (anchors the first turn)")

    @property
    def stage(self) -> int:
        return 1 if self.round <= self.stage1_rounds else 2

    def rl_settings(self) -> dict[str, Any]:
        """Stage I anchors the first turn by a KL penalty (and its reward is another function: a name of
        its own, part of the update's identity); stage II uses the recipe's ``kl``."""
        if self.stage == 1:
            return {"kl": self.stage1_kl, "reward_name": f"{self.name}:stage1-revision-only"}
        return {}

    def revise_prompt(self, question: str, first: str) -> str:
        return f"{self.task_value.prompt(question)}{first}{REVISE}"

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """Stage II: the verifier's reward, plus the bonus times (right now - right before) on a revision.
        Stage I: a revision's verifier reward; a first turn (``first_right`` -1) 0, so only the KL moves it."""
        right = verifier_reward(self.task_value, completions, label)
        before = columns.get("first_right") or [None] * len(right)
        if self.stage == 1:
            return [r if b is not None and b >= 0 else 0.0 for r, b in zip(right, before)]
        return [r + (self.bonus * (r - float(b)) if b is not None and b >= 0 else 0.0) for r, b in zip(right, before)]

    def build(self, questions, seed, rng):
        task = self.task_value
        first = [ss[0] for ss in self.sample(self.current, [task.prompt(q) for q in questions], 1, seed)]
        first_right = [task.correct(q, f) for q, f in zip(questions, first)]
        greedy_revised = self.sample(
            self.current, [self.revise_prompt(q, f) for q, f in zip(questions, first)], 1, seed + 1, temperature=0.0
        )
        second_right = [task.correct(q, ss[0]) for q, ss in zip(questions, greedy_revised)]
        rows = [{"prompt": task.prompt(q), "question": q, "label": task.gold(q), "first_right": -1} for q in questions]
        rows += [
            {"prompt": self.revise_prompt(q, f), "question": q, "label": task.gold(q), "first_right": int(ok)}
            for q, f, ok in zip(questions, first, first_right)
        ]
        n = max(1, len(questions))
        mon = {
            "first_acc": sum(first_right) / n,
            "second_acc": sum(second_right) / n,  # the revision, greedy, before this round's update
            "fixed": sum(not a and b for a, b in zip(first_right, second_right)) / n,
            "broken": sum(a and not b for a, b in zip(first_right, second_right)) / n,
            "accepted": len(rows),
            "stage": self.stage,
            "generated": 2 * len(questions) + len(rows) * self.group,
        }
        return "rl", rows, mon
