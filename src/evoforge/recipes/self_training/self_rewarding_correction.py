"""Self-rewarding correction, from "Self-rewarding correction for mathematical reasoning" (Xiong et al.,
2025): the model answers, then in the same turn rewards itself with a verdict (``[VERIFY] correct`` /
``[VERIFY] wrong``) and, after ``wrong``, writes a correction. Stage one is SFT on traces gathered by
*sequential rejection sampling* of the model itself: for each attempt, ``check_samples`` verifications
are sampled and one is kept whose verdict is the truth and whose correction (if any) is right; stage
two is RL with a rule-based reward that pays the right final answer plus ``verdict_bonus`` for a
right verdict.

Here the check turn is its own prompt (the problem, the attempt, ``[VERIFY]``) whose completion is
`` correct`` or `` wrong. Corrected:`` followed by a solution: the final answer is the attempt's after
``correct`` and the correction's after ``wrong``. The paper's first stage relies on a strong base model
for its samples; a small one rarely writes the format, so where no sample passes, a trace is
*constructed* -- the true verdict, and as correction one of the model's own right attempts at the same
problem (``sampled`` vs ``constructed`` count both). Not reproduced: the paper's larger models, its
KL-regularised PPO variants and multi-turn trajectories sampled in one pass. Monitors: see
:mod:`._self_verify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.recipe import param, register

from . import _rl_round, _self_verify
from ._base import SelfTraining
from ._self_verify import turn_row, verdict_of

CHECK = "\n[VERIFY]"
WRONG = " wrong. Corrected:"


@register("self-rewarding-correction")
@dataclass(kw_only=True)
class SelfRewardingCorrection(SelfTraining):
    summary = "answer, self-reward with a verdict, correct: SFT on rejection-sampled traces, then RL"
    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model
    extra: ClassVar[tuple[str, ...]] = ("truth", "attempt_answer")

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
    check_samples: int = param(2, low=1, help="verifications sampled per attempt (rejection sampling)")
    verdict_bonus: float = param(0.5, low=0, help="RL reward added for a right verdict")

    def build(self, questions, seed, rng):
        return _self_verify.build(self, questions, seed)

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """Solve turns: the right answer; check turns: the right final answer plus the verdict bonus."""
        return _self_verify.turn_reward(self.task_value, self.turn_reward, prompts, completions, label, **columns)

    def check_prompt(self, question: str, attempt: str) -> str:
        return f"{self.task_value.prompt(question)}{attempt}{CHECK}"

    def final(self, attempt: str, check: str) -> str:
        """The text holding the final answer: the correction after ``wrong``, else the attempt."""
        return check if verdict_of(check, "correct", "wrong") is False else attempt

    def sft_rows(self, questions, attempts, seed):
        task = self.task_value
        todo = []  # (question, attempt, is it right, a right attempt of the same problem or None)
        for q, ss in zip(questions, attempts):
            right = [s for s in dict.fromkeys(ss) if task.correct(q, s)]
            wrong = [s for s in dict.fromkeys(ss) if not task.correct(q, s)]
            fix = right[0] if right else None
            todo += [(q, a, True, a) for a in right[:1]] + [(q, a, False, fix) for a in wrong[:1]]
        prompts = [self.check_prompt(q, a) for q, a, *_ in todo]
        checks = self.sample(self.current, prompts, self.check_samples, seed, max_new_tokens=task.max_new_tokens + 8)
        rows = [{"prompt": task.prompt(q), "completion": a} for q, a, ok, _ in todo if ok]
        sampled = constructed = 0
        for (q, a, ok, fix), cs in zip(todo, checks):
            passed = (c for c in cs if verdict_of(c, "correct", "wrong") == ok and task.correct(q, self.final(a, c)))
            keep = next(passed, None)
            if keep is None and (ok or fix is not None):
                keep, constructed = (" correct" if ok else f"{WRONG}{fix}"), constructed + 1
            elif keep is not None:
                sampled += 1
            if keep is not None:
                rows.append({"prompt": self.check_prompt(q, a), "completion": keep})
        return rows, {"sampled": sampled, "constructed": constructed, "checks": len(todo) * self.check_samples}

    def rl_rows(self, questions, attempts):
        task, rows = self.task_value, []
        for q, a in zip(questions, attempts):
            truth = "correct" if task.correct(q, a) else "wrong"
            rows.append(
                turn_row(
                    q,
                    self.check_prompt(q, a),
                    task.gold(q),
                    "check",
                    self.extra,
                    truth=truth,
                    attempt_answer=task.answer(a) or "",
                )
            )
        return rows

    def turn_reward(self, turn: str, completion: str, label: str, row: dict[str, Any]) -> float:
        verdict = verdict_of(completion, "correct", "wrong")
        answer = (
            row.get("attempt_answer") if verdict else self.task_value.answer(completion) if verdict is False else None
        )
        right_verdict = verdict is not None and verdict == (row.get("truth") == "correct")
        return float(answer == label) + self.verdict_bonus * right_verdict

    def self_check(self, questions, attempts, seed):
        prompts = [self.check_prompt(q, a) for q, a in zip(questions, attempts)]
        said = self.sample(self.current, prompts, 1, seed, 0.0, self.task_value.max_new_tokens + 8)
        verdicts = [verdict_of(s[0], "correct", "wrong") for s in said]
        return verdicts, [self.final(a, s[0]) for a, s in zip(attempts, said)]
