"""S2R, from "S2R: Teaching LLMs to Self-verify and Self-correct via Reinforcement Learning" (Ma et al.,
2025): first *behaviour initialisation* -- SFT on trajectories built from the model's own attempts,
in which each attempt is followed by a verification whose verdict is the truth (known from the
checker) and a wrong one by a correction that is one of the model's own right attempts at the same
problem -- then RL with the outcome reward.

Here the trajectory's turns are separate prompts (completions end at a newline): *solve* (the
problem), *verify* (the problem, an attempt, "Verdict:" -> `` right`` / `` wrong``) and *correct*
(the same after a `` wrong`` verdict -> a new solution). The first ``sft_rounds`` rounds train them by
SFT; later rounds run GRPO / RLOO on all three turns: a solve or correct turn is paid 1 for the right
answer, a verify turn 1 for the true verdict (S2R's process-level reward; its outcome-level variant,
one reward for a whole trajectory sampled in one pass, is not reproduced). Monitors: see
:mod:`._self_verify` (``verify_acc``, ``final_acc``, ``fixed``, ``broken``; ``rl_check_reward``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.recipe import register

from . import _rl_round, _self_verify
from ._base import SelfTraining
from ._self_verify import turn_row, verdict_of

VERIFY = "\nVerify the answer above.\nVerdict:"
CORRECT = "\nWrite a corrected solution.\nA:"


@register("s2r")
@dataclass(kw_only=True)
class S2R(SelfTraining):
    summary = "self-verify and self-correct: SFT on traces built from own attempts, then RL on answers and verdicts"
    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model
    extra: ClassVar[tuple[str, ...]] = ()

    algo: str = _rl_round.algo()
    group: int = _rl_round.group()
    rl_temperature: float = _rl_round.rl_temperature()
    kl: float = _rl_round.kl()
    rl_lr: float = _rl_round.rl_lr()
    epochs: float = _rl_round.epochs()
    train_batch: int = _rl_round.train_batch()
    problems: int = _self_verify.problems()
    samples: int = _self_verify.samples()
    sft_rounds: int = _self_verify.sft_rounds()

    def build(self, questions, seed, rng):
        return _self_verify.build(self, questions, seed)

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """Solve and correct turns: the right answer; verify turns: the true verdict."""
        return _self_verify.turn_reward(self.task_value, self.turn_reward, prompts, completions, label, **columns)

    def verify_prompt(self, question: str, attempt: str) -> str:
        return f"{self.task_value.prompt(question)}{attempt}{VERIFY}"

    def correct_prompt(self, question: str, attempt: str) -> str:
        return f"{self.verify_prompt(question, attempt)} wrong{CORRECT}"

    def sft_rows(self, questions, attempts, seed):
        task, rows, corrections = self.task_value, [], 0
        for q, ss in zip(questions, attempts):
            right = [s for s in dict.fromkeys(ss) if task.correct(q, s)]
            wrong = [s for s in dict.fromkeys(ss) if not task.correct(q, s)]
            if right:
                rows.append({"prompt": task.prompt(q), "completion": right[0]})
            for s, verdict in ((right[:1], " right"), (wrong[:1], " wrong")):
                rows += [{"prompt": self.verify_prompt(q, a), "completion": verdict} for a in s]
            if right and wrong:
                rows.append({"prompt": self.correct_prompt(q, wrong[0]), "completion": right[0]})
                corrections += 1
        return rows, {"corrections": corrections}

    def rl_rows(self, questions, attempts):
        task, rows = self.task_value, []
        for q, a in zip(questions, attempts):
            ok = task.correct(q, a)
            rows.append(turn_row(q, self.verify_prompt(q, a), "right" if ok else "wrong", "verify", self.extra))
            if not ok:
                rows.append(turn_row(q, self.correct_prompt(q, a), task.gold(q), "correct", self.extra))
        return rows

    def turn_reward(self, turn: str, completion: str, label: str, row: dict[str, Any]) -> float:
        if turn == "verify":
            return float(verdict_of(completion, "right", "wrong") == (label == "right"))
        return float(self.task_value.answer(completion) == label)

    def self_check(self, questions, attempts, seed):
        said = self.sample(
            self.current, [self.verify_prompt(q, a) for q, a in zip(questions, attempts)], 1, seed, 0.0, 6
        )
        verdicts = [verdict_of(s[0], "right", "wrong") for s in said]
        redo = [i for i, v in enumerate(verdicts) if v is False]
        fixed = self.sample(self.current, [self.correct_prompt(questions[i], attempts[i]) for i in redo], 1, seed, 0.0)
        finals = list(attempts)
        for i, f in zip(redo, fixed):
            finals[i] = f[0]
        return verdicts, finals
