"""SCoRe, from "Training Language Models to Self-Correct via Reinforcement Learning" (Kumar et al.,
2024), on the RL path: two turns. The model answers a problem; the answer is shown back with a request
to revise it; the revision is rewarded for being right plus a *correction bonus*
``bonus * (right now - right before)`` (stage II's shaping: fixing a wrong first answer pays, breaking
a right one costs). First-turn answers are trained too (plain verifier reward), so both turns improve.
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

    def revise_prompt(self, question: str, first: str) -> str:
        return f"{self.task_value.prompt(question)}{first}{REVISE}"

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """The verifier's reward, plus the bonus times (right now - right before) on a revision."""
        right = verifier_reward(self.task_value, completions, label)
        before = columns.get("first_right") or [None] * len(right)
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
            "generated": 2 * len(questions) + len(rows) * self.group,
        }
        return "rl", rows, mon
