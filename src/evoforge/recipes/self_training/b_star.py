"""B-STaR, from "B-STaR: Monitoring and Balancing Exploration and Exploitation in Self-Taught
Reasoners" (Zeng et al., 2024): each round picks the sampling temperature and the reward threshold
that maximise the balance score, mean over problems of min(n'/n*, 1) * n'/n (n' correct selected,
n selected, n* wanted), then fine-tunes on what that configuration selects. The reward here is the
self-consistency of a sample's answer (its vote share); selection keeps verified samples over the
threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors, votes

from ._base import SelfTraining


@register("b-star")
@dataclass(kw_only=True)
class BSTaR(SelfTraining):
    summary = "STaR with temperature and reward threshold chosen each round by the balance score"

    temperatures: str = param("0.5,0.8,1.1", help="comma-separated sampling temperatures tried each round")
    thresholds: str = param("0.0,0.25,0.5", help="comma-separated reward (vote share) thresholds tried each round")
    wanted: int = param(2, low=1, help="n*: correct samples wanted per problem")

    def build(self, questions, seed, rng):
        task = self.task_value
        prompts = [task.prompt(q) for q in questions]
        best = None
        for t in (float(x) for x in self.temperatures.split(",")):
            samples = self.sample(self.current, prompts, self.samples, seed, temperature=t)
            for th in (float(x) for x in self.thresholds.split(",")):
                rows, bs = [], []
                for q, p, ss in zip(questions, prompts, samples):
                    v = votes(ss, task)
                    sel = [s for s in ss if task.answer(s) is not None and v[task.answer(s)] / len(ss) >= th]
                    good = list(dict.fromkeys(s for s in sel if task.correct(q, s)))
                    bs.append(min(len(good) / self.wanted, 1.0) * len(good) / len(sel) if sel else 0.0)
                    rows += [{"prompt": p, "completion": s} for s in good[: self.wanted]]
                score = float(np.mean(bs))
                if best is None or score > best[0]:
                    best = (score, t, th, rows, samples)
        score, t, th, rows, samples = best  # type: ignore[misc]
        mon = sample_monitors(questions, samples, task)
        mon.update(accepted=len(rows), balance=score, temperature=t, threshold=th, gv_gap=mon["passk"] - mon["pass1"])
        return "sft", rows, mon
