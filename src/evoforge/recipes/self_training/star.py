"""STaR, from "STaR: Bootstrapping Reasoning With Reasoning" (Zelikman et al., 2022): sample
rationales, keep those reaching the right answer; for problems the model gets wrong, *rationalize*
(show the answer as a hint, keep a rationale that reaches it, train on it without the hint); fine-tune
the starting model again on everything kept so far, each round."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from ._base import SelfTraining


@register("star")
@dataclass(kw_only=True)
class STaR(SelfTraining):
    summary = "self-taught reasoner: keep correct rationales, rationalize failures, retrain from start"

    problems: int = param(128, low=1, help="training problems per round (the benchmark's setting)")
    samples: int = param(1, low=1, help="rationales per problem (one, as in the paper)")
    rationalize: bool = param(True, help="for failed problems, keep a rationale written with the answer as a hint")
    accumulate: bool = param(True, help="train on the rationales of all rounds so far (STaR retrains on the union)")

    def build(self, questions, seed, rng):
        task = self.task_value
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        rows, failed = [], []
        for q, ss in zip(questions, samples):
            good = next((s for s in ss if task.correct(q, s)), None)
            if good is not None:
                rows.append({"prompt": task.prompt(q), "completion": good})
            else:
                failed.append(q)
        rationalized = 0
        if self.rationalize and failed:
            hinted = self.sample(self.current, [task.prompt(q, hint=task.gold(q)) for q in failed], 1, seed + 1)
            for q, ss in zip(failed, hinted):
                if task.correct(q, ss[0]):
                    rows.append({"prompt": task.prompt(q), "completion": ss[0]})
                    rationalized += 1
        mon.update(
            accepted=len(rows) - rationalized,
            rationalized=rationalized,
            gv_gap=mon["passk"] - mon["pass1"],
            generated=mon["generated"] + (len(failed) if self.rationalize else 0),
        )
        mon.update(self.own_verification_monitors(questions, samples))
        self.save_rows(f"data-{self.round:02d}", rows)
        if self.accumulate:
            rows = self.round_rows(range(1, self.round + 1))
        return "sft", rows, mon
