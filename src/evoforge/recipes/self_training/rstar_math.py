"""rStar-Math, from "rStar-Math: Small LLMs Can Master Math Reasoning with Self-Evolved Deep Thinking"
(Guan et al., 2025), at toy scale. Each round runs a step-level MCTS per training problem with the
current policy (:mod:`evoforge.genomes.weights.step_search`): steps are the clauses of a solution, a step's
arithmetic is verified by computing it (the paper's code-augmented steps; a failing step is dropped),
and Q-values come from the rollouts' final correctness. The policy is fine-tuned (SFT, from the starting
checkpoint, as the paper retrains each round) on the ``keep`` verified trajectories of each tree with the
highest mean Q, and a process preference model (PPM: :mod:`evoforge.genomes.weights.reward_model` from the new
policy, a pairwise Bradley-Terry loss) on step pairs of the same partial solution: a high-Q step over a
low-Q one. The next round's search starts each new step's value at the PPM's score, so policy and PPM
evolve together.

Reproduced: step-level MCTS with verified steps, Q-value back-propagation of terminal rewards, top-Q
trajectory selection, the PPM's pairwise loss on Q-ranked step pairs, PPM-guided search in later rounds.
Not reproduced: Python code blocks inside each step (the check computes the step's own equalities),
the first rounds' terminal-guided annotation with many rollouts, 64-rollout trees and 16-step depth, the
PPM's use at test time (see ``meds3``). Monitors: the rollouts' pass@1 / pass@k / maj@k, ``verified``
(problems the search solved), ``bad_steps``, ``rm_acc`` (the new PPM on held-out problems' pairs) and
``prev_rm_acc`` (the previous PPM, which guided this search, on this round's pairs: out of sample).
"""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.reward_model import pair_accuracy
from evoforge.genomes.weights.step_search import best_trajectories, step_pairs

from . import _step_tree
from ._base import SelfTraining
from ._step_tree import PAIR_KEYS, StepScorers, rm_value, tree_search


@register("rstar-math")
@dataclass(kw_only=True)
class RStarMath(SelfTraining):
    summary = "step-level MCTS, verified steps; SFT on top-Q trajectories; a PPM from Q-values guides the next search"

    problems: int = _step_tree.problems()
    samples: int = _step_tree.samples()
    simulations: int = _step_tree.simulations()
    expand: int = _step_tree.expand()
    c_uct: float = _step_tree.c_uct()
    per_node: int = _step_tree.per_node()
    rm_epochs: float = _step_tree.rm_epochs()
    rm_lr: float = _step_tree.rm_lr()
    rm_holdout: float = _step_tree.rm_holdout()
    keep: int = param(2, low=1, help="verified trajectories per problem for the policy (highest mean Q)")
    guide: bool = param(True, help="the latest PPM steers the search (its score is a new step's prior value)")

    def build(self, questions, seed, rng):
        scorers = StepScorers.of(self)
        ppm = scorers.latest() if self.guide else None
        trees, mon = tree_search(self, questions, seed, value=rm_value(ppm) if ppm else None)
        rows = [{"prompt": t.prompt, "completion": text} for t in trees for text in best_trajectories(t, self.keep)]
        pairs = [p for t in trees for p in step_pairs(t, self.per_node)]
        scorers.save_pairs(pairs)
        if ppm and pairs:
            mon["prev_rm_acc"] = pair_accuracy(ppm, [{k: p[k] for k in PAIR_KEYS} for p in pairs])
        mon.update(accepted=len(rows), pairs=len(pairs), guided=bool(ppm))
        return "sft", rows, mon

    def update(self, kind, start, rows, out, monitors):
        ckpt = super().update(kind, start, rows, out, monitors)
        StepScorers.of(self).train(ckpt, monitors)  # the PPM starts from the new policy, as the paper's does
        return ckpt
