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
from typing import Any

from evoforge.core.recipe import register

from ._self_verify import SelfVerifying, verdict_of

VERIFY = "\nVerify the answer above.\nVerdict:"
CORRECT = "\nWrite a corrected solution.\nA:"


@register("s2r")
@dataclass(kw_only=True)
class S2R(SelfVerifying):
    summary = "self-verify and self-correct: SFT on traces built from own attempts, then RL on answers and verdicts"

    def verify_prompt(self, question: str, attempt: str) -> str:
        return f"{self.T.prompt(question)}{attempt}{VERIFY}"

    def correct_prompt(self, question: str, attempt: str) -> str:
        return f"{self.verify_prompt(question, attempt)} wrong{CORRECT}"

    def sft_rows(self, questions, attempts, seed):
        T, rows, corrections = self.T, [], 0
        for q, ss in zip(questions, attempts):
            right = [s for s in dict.fromkeys(ss) if T.correct(q, s)]
            wrong = [s for s in dict.fromkeys(ss) if not T.correct(q, s)]
            if right:
                rows.append({"prompt": T.prompt(q), "completion": right[0]})
            for s, verdict in ((right[:1], " right"), (wrong[:1], " wrong")):
                rows += [{"prompt": self.verify_prompt(q, a), "completion": verdict} for a in s]
            if right and wrong:
                rows.append({"prompt": self.correct_prompt(q, wrong[0]), "completion": right[0]})
                corrections += 1
        return rows, {"corrections": corrections}

    def rl_rows(self, questions, attempts):
        T, rows = self.T, []
        for q, a in zip(questions, attempts):
            ok = T.correct(q, a)
            rows.append(self.row(q, self.verify_prompt(q, a), "right" if ok else "wrong", "verify"))
            if not ok:
                rows.append(self.row(q, self.correct_prompt(q, a), T.gold(q), "correct"))
        return rows

    def turn_reward(self, turn: str, completion: str, label: str, row: dict[str, Any]) -> float:
        if turn == "verify":
            return float(verdict_of(completion, "right", "wrong") == (label == "right"))
        return float(self.T.answer(completion) == label)

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
