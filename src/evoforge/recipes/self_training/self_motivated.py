"""Self-motivated learning, from "Self-motivated Learning: Improving Language Models' Reasoning via
Self-Generated Rationales" (Feng et al., 2024): the model writes several rationales per problem and
ranks them itself -- a rationale reaching the right answer over one that does not (``rank=answer``), or,
label-free, one agreeing with the majority of its answers over one that does not (``rank=vote``) -- a
reward model is trained on those ranks, and the policy is trained by reinforcement learning with the
*learned* reward (GRPO or RLOO here; PPO in the paper).

Reproduced: ranks from the model's own rationales, a Bradley-Terry reward model on them (retrained each
round on the ranks of every round so far), RL whose reward is the reward model's score alone. Not
reproduced: the paper's few-shot rationale generation and its SFT stage before RL (the warm start
stands in), PPO's value model. Monitors: ``rank_acc`` (how often a rank was right, from gold: matters
for ``rank=vote``), ``rm_acc`` (the reward model's accuracy on right-vs-wrong pairs of the samples
drawn *during* the RL update, never trained on), and the RL monitors (``rl_reward`` is the share of
those samples that were right).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.recipe import param, register, state
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.reward_model import score

from . import _reward_loop, _rl_round
from ._base import SelfTraining
from ._reward_loop import RewardModels, checked_pairs, label_accuracy, rm_accuracy, vote_pairs
from ._rl_round import RLRound, rl_config


@register("self-motivated")
@dataclass(kw_only=True)
class SelfMotivated(SelfTraining):
    summary = "rank own rationales (right > wrong, or majority > rest), train a reward model on them, RL with it"
    from_base: ClassVar[bool] = False  # on-policy: each round continues from the current model

    algo: str = _rl_round.algo()
    group: int = _rl_round.group()
    rl_temperature: float = _rl_round.rl_temperature()
    kl: float = _rl_round.kl()
    rl_lr: float = _rl_round.rl_lr()
    # epochs and train_batch keep the base's defaults (2.0, 8), not the other RL recipes' (1.0, 16), as they
    # always had here: runs and checkpoints of this recipe stay as they were
    rm_epochs: float = _reward_loop.rm_epochs()
    rm_lr: float = _reward_loop.rm_lr()
    rm_batch: int = _reward_loop.rm_batch()
    rm: str = state("")  # the current reward model's checkpoint
    problems: int = param(16, low=1, help="problems per round: ranked rationales, then the RL prompts")
    samples: int = param(4, low=2, help="rationales per problem, ranked against each other")
    rank: str = param("answer", choices=["answer", "vote"], help="answer: right > wrong; vote: majority > rest")
    accumulate: bool = param(True, help="train the reward model on the ranks of every round so far")

    def build(self, questions, seed, rng):
        task, models = self.task_value, RewardModels.of(self)
        samples = self.sample(self.current, [task.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, task)
        ranked = checked_pairs if self.rank == "answer" else vote_pairs
        pairs = ranked(task, questions, samples)
        models.save_pairs(f"{self.round:02d}", pairs)
        train = models.load_pairs([f"{r:02d}" for r in range(1, self.round + 1)]) if self.accumulate else pairs
        mon.update(rm_pairs=len(train), rank_acc=label_accuracy(task, pairs))
        if not train:
            mon["accepted"] = 0
            return "rl", [], mon
        self.rm = models.fit(train, f"{self.round:02d}")
        rows = [{"prompt": task.prompt(q), "question": q, "label": task.gold(q)} for q in questions]
        mon.update(accepted=len(rows), generated=mon["generated"] + len(rows) * self.group)
        return "rl", rows, mon

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """The reward model's score (the label feeds the monitors only, through the recorded samples)."""
        return list(score(self.rm, prompts, completions))  # type: ignore[arg-type]

    def update(self, kind, start, rows, out, monitors):
        if kind != "rl":
            return super().update(kind, start, rows, out, monitors)
        rl = RLRound(self.task_value, rl_config(self, "learned-reward-model"))
        ckpt = rl.update(start, rows, out, monitors, self.reward)
        if rl.seen:  # the reward model judged these on-line samples without having trained on them
            question = {r["prompt"]: r["question"] for r in rows}
            answers = [completions for _, completions in rl.seen.values()]
            monitors["rm_acc"] = rm_accuracy(
                self.rm, checked_pairs(self.task_value, [question[p] for p in rl.seen], answers)
            )
        return ckpt
