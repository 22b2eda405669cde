"""GRPO with a verifiable reward, from "DeepSeekMath" (Shao et al., 2024), here through TRL's
GRPOTrainer (or RLOO, Ahmadian et al., 2024, with ``algo=rloo``): each round draws training problems,
samples ``group`` answers per problem on-line, rewards an answer 1 when the task's checker accepts it
and 0 otherwise, and updates the current model towards the better answers of each group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.recipe import param, register

from . import _rl_round
from ._base import SelfTraining
from ._rl_round import verifier_reward


@register("grpo")
@dataclass(kw_only=True)
class GRPO(SelfTraining):
    summary = "on-line RL (GRPO or RLOO) with the task's verifier as the reward"
    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model

    algo: str = _rl_round.algo()
    group: int = _rl_round.group()
    rl_temperature: float = _rl_round.rl_temperature()
    kl: float = _rl_round.kl()
    rl_lr: float = _rl_round.rl_lr()
    epochs: float = _rl_round.epochs()
    train_batch: int = _rl_round.train_batch()
    problems: int = param(32, low=1, help="training problems per round")

    def build(self, questions, seed, rng):
        task = self.task_value
        rows = [{"prompt": task.prompt(q), "question": q, "label": task.gold(q)} for q in questions]
        return "rl", rows, {"accepted": len(rows), "generated": len(rows) * self.group}

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        return verifier_reward(self.task_value, completions, label)
