"""Easy-to-hard self-improvement, from "Self-Improving Transformers Overcome Easy-to-Hard and Length
Generalization Challenges" (Lee et al., 2025): a transformer trained from scratch on short problems
labels problems one digit longer itself; the labels that pass unsupervised filters join its training
data, and it trains on from where it is. Each round moves the frontier one digit.

Filters (no gold answer is used): the answer must have a plausible length (``d`` or ``d + 1`` digits
for a ``d``-digit problem), the paper's filter for addition (it adds majority votes over several
models for multiplication and mazes). ``swap_vote`` also asks that ``a+b`` and ``b+a`` get the same
answer, a two-phrasing vote; measured on a GPU it kept none of 5,000 11-digit labels of a model at 17 %
there, while the length filter alone kept 2,201 at 52 % precision, so it is off by default. The labels'
true precision is recorded as a monitor only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.errors import ConfigError
from evoforge.core.recipe import param, register

from ._base import SelfTraining


@register("easy-to-hard")
@dataclass(kw_only=True)
class EasyToHard(SelfTraining):
    summary = "label one-digit-longer problems yourself, keep length- and order-consistent labels, train on"
    from_base: ClassVar[bool] = False
    uses_labels: ClassVar[bool] = False  # after the labelled warm start

    base: str = param("tiny:0:3x128", help="starting model: a small transformer trained from scratch")
    lora: bool = param(False, help="train LoRA adapters instead of every weight")
    lr: float = param(1e-3, low=0, help="learning rate")
    warm_start: int = param(192_000, low=0, help="labelled problems of 1..digits digits: the from-scratch training")
    warm_epochs: float = param(1.0, low=0, help="passes over the warm-start problems")
    warm_hints: int = param(0, low=0, help="warm-start examples repeated with the answer as a hint")
    warm_batch: int = param(64, low=1, help="the warm start's batch")
    train_batch: int = param(64, low=1, help="training batch size")
    mix_seed: bool = param(False, help="off: the replay below mixes in a sample of the earlier data instead")
    problems: int = param(3200, low=1, help="problems the model labels per round, one digit past the frontier")
    replay: int = param(6400, low=0, help="earlier examples (warm start and earlier rounds) trained on again")
    epochs: float = param(1.0, low=0, low_open=True, help="passes over each round's data")
    swap_vote: bool = param(False, help="also keep a label only if b+a gets the same answer")

    def frontier(self) -> int:
        """The length this round labels: one digit past the task's labelled lengths per round."""
        digits = self.task_value.labelled_digits
        if digits is None:
            raise ConfigError(
                f"easy-to-hard needs a task whose problems have a length in digits, not {self.task_ref!r}"
            )
        return digits + self.round

    def questions(self, seed):
        return self.task_value.train_problems(self.problems, seed, digits=self.frontier())

    def build(self, qs, seed, rng):
        task = self.task_value
        d = self.frontier()
        swapped = ["+".join(reversed(q.split("+"))) for q in qs] if self.swap_vote else []
        outs = self.sample(self.current, [task.prompt(q) for q in qs + swapped], 1, seed, temperature=0.0)
        first = outs[: len(qs)]
        second = outs[len(qs) :] or first
        rows, right = [], 0
        for q, x, y in zip(qs, first, second):
            label = task.answer(x[0])
            if label is not None and (not self.swap_vote or label == task.answer(y[0])) and len(label) in (d, d + 1):
                rows.append({"prompt": task.prompt(q), "completion": label})
                right += task.correct(q, label)
        self.save_rows(f"data-{self.round:02d}", rows)
        earlier = self.seed_rows() + self.round_rows(range(1, self.round))
        pick = np.random.default_rng(seed).choice(len(earlier), size=min(self.replay, len(earlier)), replace=False)
        mon = {
            "frontier": d,
            "generated": len(qs) + len(swapped),
            "accepted": len(rows),
            "pass1": float(np.mean([task.correct(q, x[0]) for q, x in zip(qs, first)])),
            "label_precision": right / len(rows) if rows else None,
        }
        return "sft", rows + [earlier[int(i)] for i in pick], mon
