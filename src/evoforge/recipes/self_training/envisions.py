"""ENVISIONS, from "Interactive Evolution: A Neural-Symbolic Self-Training Framework For Large Language
Models" (Xu et al., 2024): the model writes symbolic solutions, an environment *executes* them, the
model refines its own solutions with the execution feedback, and both positive and negative solutions
train it -- iteratively, each round from the latest model.

Here the symbolic solution is the worked chain of equations (``" 2*3=6, 7+6=13, 13-4=9. Answer: 9"``):
each equation's left side is computed from its parsed syntax tree (:mod:`._steps`). A solution is
*positive* when its answer is right and every equation holds; a right answer reached through a false
equation counts as negative (``spurious``). Every negative sample is refined once: the model sees it
with the execution feedback (``Execution: 7+6 is 13, not 14.``) and writes it again; right refinements
join the problem's positives. The update is DPO plus an NLL term on the chosen side, i.e. SFT on
positives and a preference against negatives, on pairs (problem, positive, negative) and (refinement
prompt, right refinement, the refined negative) so that self-refinement is trained too. Not
reproduced: the paper's pools kept across rounds and its exact loss; its tasks (web agents, program
synthesis) are replaced by the verifiable arithmetic tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors

from . import _dpo_round, _steps
from ._base import SelfTraining
from ._dpo_round import dpo_overrides

REFINE = "\n{feedback}\nRewrite the solution.\nA:"


@register("envisions")
@dataclass(kw_only=True)
class Envisions(SelfTraining):
    summary = "neural-symbolic self-training: computed steps, self-refinement, positives vs negatives"
    from_base: ClassVar[bool] = False  # DPO: each round continues from (and is anchored to) the latest model

    beta: float = _dpo_round.beta()
    nll: float = _dpo_round.nll(1.0, help="weight of the NLL (SFT) term on the positive")
    dpo_lr: float = _dpo_round.dpo_lr()
    mix_seed: bool = _dpo_round.mix_seed()
    problems: int = param(32, low=1, help="training problems per round")
    samples: int = param(4, low=1, help="solutions sampled per problem")
    pairs: int = param(2, low=1, help="(positive, negative) pairs per problem at most")
    epochs: float = param(1.0, low=0, low_open=True, help="passes over each round's pairs")

    def train_overrides(self, kind):
        return dpo_overrides(beta=self.beta, nll=self.nll, lr=self.lr, dpo_lr=self.dpo_lr)

    def refine_prompt(self, question: str, solution: str, feedback: str) -> str:
        return f"{self.task_value.prompt(question)}{solution}{REFINE.format(feedback=feedback)}"

    def build(self, questions, seed, rng):
        task = self.task_value
        prompts = [task.prompt(q) for q in questions]
        samples = self.sample(self.current, prompts, self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        flat = [(i, s) for i, ss in enumerate(samples) for s in ss]
        checked = _steps.check([s for _, s in flat])
        good = [task.correct(questions[i], s) and _steps.holds(c) is not False for (i, s), c in zip(flat, checked)]
        spurious = sum(task.correct(questions[i], s) and not g for (i, s), g in zip(flat, good))
        todo = [
            (i, s, self.refine_prompt(questions[i], s, _steps.feedback(c)))
            for (i, s), c, g in zip(flat, checked, good)
            if not g
        ]
        refined = [ss[0] for ss in self.sample(self.current, [p for *_, p in todo], 1, seed + 1)]
        re_checked = _steps.check(refined)
        pos: list[list[str]] = [[] for _ in questions]
        neg: list[list[str]] = [[] for _ in questions]
        for (i, s), g in zip(flat, good):
            (pos if g else neg)[i].append(s)
        rows, fixed = [], [False] * len(questions)
        for (i, s, p), r, c in zip(todo, refined, re_checked):
            if task.correct(questions[i], r) and _steps.holds(c) is not False:
                pos[i].append(r)
                rows.append({"prompt": p, "chosen": r, "rejected": s})
                fixed[i] = fixed[i] or s == samples[i][0]
            else:
                neg[i].append(r)
        for i in range(len(questions)):
            good_i, bad_i = list(dict.fromkeys(pos[i])), list(dict.fromkeys(neg[i]))
            n = min(self.pairs, max(len(good_i), len(bad_i))) if good_i and bad_i else 0
            rows += [
                {"prompt": prompts[i], "chosen": good_i[j % len(good_i)], "rejected": bad_i[j % len(bad_i)]}
                for j in range(n)
            ]
        first = good[:: self.samples]  # each problem's first sample is positive
        after = [a or f for a, f in zip(first, fixed)]
        n = max(1, len(questions))
        mon.update(
            accepted=len(rows),
            positives=sum(map(len, pos)),
            negatives=sum(map(len, neg)),
            spurious=spurious,
            exec_ok=sum(_steps.holds(c) is not False for c in checked) / max(1, len(checked)),
            refined=len(todo),
            refine_fixed=sum(task.correct(questions[i], r) for (i, *_), r in zip(todo, refined)) / max(1, len(todo)),
            gv_gap=(sum(after) - sum(first)) / n,  # first sample, then refined when wrong: the gain of refinement
            generated=mon["generated"] + len(todo),
        )
        return "dpo", rows, mon
