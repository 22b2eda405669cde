"""MedS3, from "MedS3: Towards Medical Small Language Models with Self-Evolved Slow Thinking" (Jiang et
al., 2025), on the verifiable tasks here instead of medicine. Each round a step-level MCTS per training
problem (:mod:`evoforge.genomes.weights.step_search`: steps checked by computing them, Q-values from the
rollouts' rule-verified answers) yields verified reasoning chains; the policy is fine-tuned on them (SFT)
and a process reward model (PRM: :mod:`evoforge.genomes.weights.reward_model`, from the new policy) on the tree's
step pairs. At inference the PRM picks one of ``best_of`` samples per problem by its score of the
solution's steps (``aggregate``: the weakest step by default).

The selection is measured every round on ``select_problems`` of the task's held-out problems with the
new policy and PRM: ``sel_greedy`` (greedy), ``sel_prm`` (the PRM's pick of ``best_of`` samples),
``sel_pass1``, ``sel_maj`` and ``sel_passk`` of those samples; the round's score stays the task's
held-out greedy accuracy. ``rm_acc``: the PRM's pair accuracy on held-out problems' pairs.

Reproduced: MCTS-verified chains for the policy, a PRM trained from the tree's step values, PRM-guided
selection among samples at inference. Not reproduced: the medical data and long chains, the PRM's soft
dual-sided labels (here pairwise preferences between sibling steps), and PRM-guided vote-sum (here
best-of-N by the PRM alone).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.step_search import best_trajectories, step_pairs

from . import _step_tree
from ._base import SelfTraining
from ._step_tree import StepScorers, solution_scores, tree_search

SELECT_SEED = 424_242  # the same held-out samples are drawn in every round (of a given checkpoint)


@register("meds3")
@dataclass(kw_only=True)
class MedS3(SelfTraining):
    summary = "MCTS-verified chains train the policy and a PRM; the PRM picks among samples at inference"

    problems: int = _step_tree.problems()
    samples: int = _step_tree.samples()
    simulations: int = _step_tree.simulations()
    expand: int = _step_tree.expand()
    c_uct: float = _step_tree.c_uct()
    per_node: int = _step_tree.per_node()
    rm_epochs: float = _step_tree.rm_epochs()
    rm_lr: float = _step_tree.rm_lr()
    rm_holdout: float = _step_tree.rm_holdout()
    keep: int = param(3, low=1, help="verified chains per problem for the policy (highest mean Q)")
    best_of: int = param(4, low=1, help="samples per held-out problem the PRM chooses among")
    select_problems: int = param(24, low=1, help="held-out problems for the greedy-vs-PRM-selected monitor")
    aggregate: str = param("min", choices=["min", "last", "mean"], help="a solution's PRM score from its steps'")

    def build(self, questions, seed, rng):
        trees, mon = tree_search(self, questions, seed)
        rows = [{"prompt": t.prompt, "completion": text} for t in trees for text in best_trajectories(t, self.keep)]
        pairs = [p for t in trees for p in step_pairs(t, self.per_node)]
        StepScorers.of(self).save_pairs(pairs)
        mon.update(accepted=len(rows), pairs=len(pairs))
        return "sft", rows, mon

    def update(self, kind, start, rows, out, monitors):
        ckpt = super().update(kind, start, rows, out, monitors)
        prm = StepScorers.of(self).train(ckpt, monitors)
        if prm:
            monitors.update(self.selection(str(ckpt), prm))
            monitors["generated"] = monitors.get("generated", 0) + self.select_problems * (self.best_of + 1)
        return ckpt

    def selection(self, ckpt: str, prm: str) -> dict[str, float]:
        """Held-out accuracy of the greedy answer vs the PRM's pick of ``best_of`` samples."""
        task = self.task_value
        qs = list(task.heldout_problems())[: self.select_problems]
        prompts = [task.prompt(q) for q in qs]
        greedy = self.sample(ckpt, prompts, 1, SELECT_SEED, temperature=0.0)
        samples = self.sample(ckpt, prompts, self.best_of, SELECT_SEED)
        picked, maj = [], []
        for q, p, ss in zip(qs, prompts, samples):
            sc = solution_scores(prm, p, ss, self.aggregate)
            picked.append(task.correct(q, ss[max(range(len(ss)), key=sc.__getitem__)]))
            votes = Counter(a for a in (task.answer(s) for s in ss) if a is not None)
            maj.append(bool(votes) and votes.most_common(1)[0][0] == task.gold(q))
        n = max(1, len(qs))
        return {
            "sel_greedy": sum(task.correct(q, g[0]) for q, g in zip(qs, greedy)) / n,
            "sel_prm": sum(picked) / n,
            "sel_pass1": sum(task.correct(q, s) for q, ss in zip(qs, samples) for s in ss) / (n * self.best_of),
            "sel_maj": sum(maj) / n,
            "sel_passk": sum(any(task.correct(q, s) for s in ss) for q, ss in zip(qs, samples)) / n,
        }
