"""Reward-model-guided self-training, after the self-improvement loop of "Qwen2.5-Math Technical
Report" (Yang et al., 2024: a reward model chooses which of the model's samples train the next model)
and MSTaR ("Diving into Self-Evolving Training for Multimodal Reasoning", Liu et al., 2024: a reward
model selects the rationales STaR keeps).

Each round draws ``rm_problems + problems`` training problems and samples k answers to each. The
samples of the first ``rm_problems`` are checked against gold and give right-over-wrong pairs; a reward
model is trained on the pairs of every round so far. On the other ``problems`` the reward model alone
picks one sample per problem (``filter_correct``: its best among the checker-approved ones, as in
Qwen2.5-Math's rejection sampling), and the next model is fine-tuned from the start on the picks.
Not reproduced: Qwen's large-scale reward model (here a LoRA reward head on the warm start) and its
RM-weighted GRPO stage; MSTaR's multimodal data. Monitors: ``pick_acc`` (how often the pick is right,
from gold), ``gv_gap`` (pick_acc minus pass@1: what selection added over a random sample), ``rm_acc``
(the reward model's accuracy on right-vs-wrong pairs of the picking problems, never trained on).
"""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import param, register, state
from evoforge.genomes.weights.monitors import sample_monitors

from . import _reward_loop
from ._base import SelfTraining
from ._reward_loop import RewardModels, checked_pairs, rm_accuracy, rm_scores


@register("rm-guided")
@dataclass(kw_only=True)
class RMGuided(SelfTraining):
    summary = "a reward model trained on checked pairs picks which of k samples train the next model (SFT)"

    rm_epochs: float = _reward_loop.rm_epochs()
    rm_lr: float = _reward_loop.rm_lr()
    rm_batch: int = _reward_loop.rm_batch()
    rm: str = state("")  # the current reward model's checkpoint
    problems: int = param(24, low=1, help="problems per round whose samples the reward model picks from")
    rm_problems: int = param(24, low=1, help="problems per round whose checked samples train the reward model")
    samples: int = param(4, low=2, help="k samples per problem")
    filter_correct: bool = param(False, help="pick the reward model's best among the right samples only")
    accumulate: bool = param(True, help="train the reward model on the pairs of every round so far")

    def questions(self, seed):
        return self.task_value.train_problems(self.problems + self.rm_problems, seed)

    def build(self, questions, seed, rng):
        task, models = self.task_value, RewardModels.of(self)
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        n = self.rm_problems
        labelled, pick_q, pick_s = (questions[:n], samples[:n]), questions[n:], samples[n:]
        mon = sample_monitors(pick_q, pick_s, task)
        mon["generated"] = sum(len(ss) for ss in samples)
        models.save_pairs(f"{self.round:02d}", checked_pairs(task, *labelled))
        train = models.load_pairs([f"{r:02d}" for r in range(1, self.round + 1) if self.accumulate or r == self.round])
        mon["rm_pairs"] = len(train)
        if not train:
            mon.update(accepted=0, pick_acc=None, skipped_rm="no right-vs-wrong pairs yet")
            return "sft", [], mon
        self.rm = models.fit(train, f"{self.round:02d}")
        prompts = [task.prompt(q) for q in pick_q]
        scores, i, rows, right = rm_scores(self.rm, prompts, pick_s), 0, [], []
        for q, p, ss in zip(pick_q, prompts, pick_s):
            sc, i = scores[i : i + len(ss)], i + len(ss)
            allowed = [j for j, s in enumerate(ss) if not self.filter_correct or task.correct(q, s)]
            if not allowed:
                continue
            best = max(allowed, key=sc.__getitem__)
            rows.append({"prompt": p, "completion": ss[best]})
            right.append(task.correct(q, ss[best]))
        pick_acc = sum(right) / len(right) if right else None
        mon.update(
            accepted=len(rows),
            pick_acc=pick_acc,
            gv_gap=(pick_acc - mon["pass1"]) if pick_acc is not None else None,
            rm_acc=rm_accuracy(self.rm, checked_pairs(task, pick_q, pick_s)),
        )
        return "sft", rows, mon
