"""TTRL, from "TTRL: Test-Time Reinforcement Learning" (Zuo et al., 2025), with LADDER's test-time
variant (Simonds & Yoshiyama, 2025) as an option: no labels. Each round takes ``problems`` of the task's
*held-out* problems (or, with ``variants``, easier variants of them), samples ``samples`` answers from
the current model, takes the majority answer as a pseudo-label, and runs GRPO (or RLOO) with the reward
"the answer agrees with the majority". Problems whose majority has fewer than ``min_share`` of the
votes are left out. The label accuracy monitor (``label_acc``: how often the majority was right,
checked against gold only for reporting) says whether the vote was a signal: it is where majority
beats greedy that TTRL can gain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.errors import ConfigError
from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors, votes

from . import _rl_round
from ._base import SelfTraining
from ._rl_round import verifier_reward


@register("ttrl")
@dataclass(kw_only=True)
class TTRL(SelfTraining):
    summary = "test-time RL: GRPO on held-out problems with majority-vote pseudo-labels (no labels)"
    uses_labels: ClassVar[bool] = False
    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model

    algo: str = _rl_round.algo()
    group: int = _rl_round.group()
    rl_temperature: float = _rl_round.rl_temperature()
    kl: float = _rl_round.kl()
    rl_lr: float = _rl_round.rl_lr()
    epochs: float = _rl_round.epochs()
    train_batch: int = _rl_round.train_batch()
    problems: int = param(32, low=1, help="held-out problems per round (unlabelled)")
    samples: int = param(8, low=1, help="votes per problem for the pseudo-label")
    min_share: float = param(0.5, low=0, high=1, help="the majority needs at least this share of the votes")
    variants: int = param(0, low=0, help="0: train on the held-out problems; n: on n easier variants of each")

    def questions(self, seed):
        task = self.task_value
        held = list(task.heldout_problems())
        rng = np.random.default_rng(seed)
        chosen = [held[i] for i in rng.permutation(len(held))[: self.problems]]
        if self.variants:
            if not task.offers_easier:
                raise ConfigError(f"ttrl: variants={self.variants} needs a task with easier(question, rng, k)")
            chosen = [v for q in chosen for v in task.easier(q, rng, self.variants)]
        return chosen

    def build(self, questions, seed, rng):
        task = self.task_value
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, task)  # monitors only: the update never sees a label
        rows, right = [], 0
        for q, ss in zip(questions, samples):
            v = votes(ss, task)
            if not v:
                continue
            top, count = v.most_common(1)[0]
            if count < self.min_share * len(ss):
                continue
            rows.append({"prompt": task.prompt(q), "question": q, "label": top})
            right += top == task.gold(q)
        mon.update(
            accepted=len(rows),
            label_acc=right / len(rows) if rows else None,
            gv_gap=mon["majk"] - mon["pass1"],
            generated=mon["generated"] + len(rows) * self.group,
        )
        return "rl", rows, mon

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """Agreement with the majority's answer (the row's label)."""
        return verifier_reward(self.task_value, completions, label)
