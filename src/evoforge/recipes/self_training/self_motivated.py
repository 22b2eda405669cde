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
from pathlib import Path
from typing import Any, ClassVar

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.reward_model import score

from ._reward_loop import RewardModelRound, checked_pairs, label_accuracy, vote_pairs
from ._rl_round import RLRound


@register("self-motivated")
@dataclass(kw_only=True)
class SelfMotivated(RewardModelRound, RLRound):
    summary = "rank own rationales (right > wrong, or majority > rest), train a reward model on them, RL with it"
    reward_label: ClassVar[str] = "learned-reward-model"

    problems: int = param(16, low=1, help="problems per round: ranked rationales, then the RL prompts")
    samples: int = param(4, low=2, help="rationales per problem, ranked against each other")
    rank: str = param("answer", choices=["answer", "vote"], help="answer: right > wrong; vote: majority > rest")
    accumulate: bool = param(True, help="train the reward model on the ranks of every round so far")

    def build(self, questions, seed, rng):
        T = self.T
        samples = self.sample(self.current, [T.prompt(q) for q in questions], self.samples, seed)
        mon = sample_monitors(questions, samples, T)
        ranked = checked_pairs if self.rank == "answer" else vote_pairs
        pairs = ranked(T, questions, samples)
        self.save_pairs(f"{self.round:02d}", pairs)
        train = self.load_pairs([f"{r:02d}" for r in range(1, self.round + 1)]) if self.accumulate else pairs
        mon.update(rm_pairs=len(train), rank_acc=label_accuracy(T, pairs))
        if not train:
            mon["accepted"] = 0
            return "rl", [], mon
        self.fit_rm(train, f"{self.round:02d}")
        rows = [{"prompt": T.prompt(q), "question": q, "label": T.gold(q)} for q in questions]
        mon.update(accepted=len(rows), generated=mon["generated"] + len(rows) * self.group)
        return "rl", rows, mon

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """The reward model's score (the label feeds the monitors only, through the recorded samples)."""
        super().reward(prompts, completions, label, **columns)
        seen = getattr(self, "_rm_seen", None)  # set during an update only (never stored with the run)
        if seen is not None:
            for q, c in zip(columns["question"], completions):
                seen.setdefault(q, []).append(c)
        return list(score(self.rm, prompts, completions))  # type: ignore[arg-type]

    def update(self, kind: str, start: str, rows: list[dict[str, Any]], out: Path, monitors: dict[str, Any]) -> Path:
        self._rm_seen: dict[str, list[str]] | None = {}
        try:
            ckpt = super().update(kind, start, rows, out, monitors)
        finally:
            seen, self._rm_seen = self._rm_seen, None
        if seen:  # the reward model judged these on-line samples without having trained on them
            monitors["rm_acc"] = self.rm_accuracy(checked_pairs(self.T, list(seen), list(seen.values())))
        return ckpt

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_rm_seen", None)
        return state
