"""LADDER, from "LADDER: Self-Improving LLMs Through Recursive Problem Decomposition" (Simonds &
Yoshiyama, 2025): for problems the model cannot solve, generate recursively easier variants (here:
operands with fewer digits, ``depth`` levels), solve them, keep the verified solutions of problems and
variants alike, and train on that curriculum from the latest model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from ._base import SelfTraining


@register("ladder")
@dataclass(kw_only=True)
class Ladder(SelfTraining):
    summary = "recursively easier variants of unsolved problems; train on verified solutions"
    from_base: ClassVar[bool] = False

    depth: int = param(2, low=0, help="levels of easier variants below an unsolved problem")
    variants: int = param(2, low=1, help="easier variants per problem and level")

    def build(self, questions, seed, rng):
        task = self.task_value
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        rows, unsolved = [], []
        for q, ss in zip(questions, samples):
            good = next((s for s in ss if task.correct(q, s)), None)
            if good is None:
                unsolved.append(q)
            else:
                rows.append({"prompt": task.prompt(q), "completion": good})
        solved_variants = 0
        level = unsolved
        for d in range(self.depth):
            level = [v for q in level for v in task.easier(q, rng, self.variants) if v != q]
            if not level:
                break
            outs = self.sample(self.current, [task.prompt(v) for v in level], self.samples, seed + 1 + d)
            nxt = []
            for v, ss in zip(level, outs):
                good = next((s for s in ss if task.correct(v, s)), None)
                if good is None:
                    nxt.append(v)
                else:
                    rows.append({"prompt": task.prompt(v), "completion": good})
                    solved_variants += 1
            level = nxt
        mon.update(
            accepted=len(rows) - solved_variants, variants_solved=solved_variants, gv_gap=mon["passk"] - mon["pass1"]
        )
        return "sft", rows, mon
