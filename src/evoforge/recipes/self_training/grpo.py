"""GRPO with a verifiable reward, from "DeepSeekMath" (Shao et al., 2024), here through TRL's
GRPOTrainer (or RLOO, Ahmadian et al., 2024, with ``algo=rloo``): each round draws training problems,
samples ``group`` answers per problem on-line, rewards an answer 1 when the task's checker accepts it
and 0 otherwise, and updates the current model towards the better answers of each group."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import param, register

from ._rl_round import RLRound


@register("grpo")
@dataclass(kw_only=True)
class GRPO(RLRound):
    summary = "on-line RL (GRPO or RLOO) with the task's verifier as the reward"

    problems: int = param(32, low=1, help="training problems per round")

    def build(self, questions, seed, rng):
        T = self.T
        rows = [{"prompt": T.prompt(q), "question": q, "label": T.gold(q)} for q in questions]
        return "rl", rows, {"accepted": len(rows), "generated": len(rows) * self.group}
