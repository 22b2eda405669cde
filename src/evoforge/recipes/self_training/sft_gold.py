"""Supervised baseline for the self-training benchmark ("direct fine-tuning" in STaR, Zelikman et al.,
2022): the same problems per round as the self-training recipes, trained on their gold solutions,
accumulated, from the starting model each round. It uses labels and generates nothing."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import register

from ._base import SelfTraining


@register("sft-gold")
@dataclass(kw_only=True)
class SFTGold(SelfTraining):
    summary = "baseline: fine-tune on gold solutions of the same problems (labels, no sampling)"

    def build(self, questions, seed, rng):
        task = self.task_value
        rows = [{"prompt": task.prompt(q), "completion": task.solution(q)} for q in questions]
        self.save_rows(f"data-{self.round:02d}", rows)
        rows = self.round_rows(range(1, self.round + 1))
        return "sft", rows, {"accepted": len(questions)}
