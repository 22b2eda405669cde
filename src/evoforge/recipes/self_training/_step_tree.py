"""What the tree-search recipes (``rstar-math``, ``meds3``) share: a round's step-level MCTS with the
current policy (:mod:`evoforge.genomes.weights.step_search`), its monitors, and a learned step scorer (a process
preference / reward model, :mod:`evoforge.genomes.weights.reward_model`) trained on the tree's step pairs.

The step pairs of a round are saved as ``pairs-NN.json`` in the run folder and the scorer trained on
them as ``rm-NN``; a later round finds the latest finished one there, so nothing but paths is kept in
the recipe state and a resumed round reuses what was already trained. A share ``rm_holdout`` of the
round's problems keeps its pairs out of training: ``rm_acc`` is the scorer's accuracy on them (the
chosen step scored above the rejected one), ``rm_pairs`` the number it trained on.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.step_check import split_steps
from evoforge.genomes.weights.step_search import Tree, Valuer, search, search_monitors

from ._base import SelfTraining

PAIR_KEYS = ("prompt", "chosen", "rejected")


@dataclass(kw_only=True)
class StepTreeSearch(SelfTraining):
    """Base of the step-level tree-search recipes (not registered itself)."""

    problems: int = param(16, low=1, help="training problems per round (one tree each)")
    samples: int = param(1, low=1, help="not used: a tree's samples are its simulations x expand rollouts")
    simulations: int = param(3, low=1, help="MCTS simulations per tree (each samples `expand` continuations)")
    expand: int = param(4, low=1, help="continuations sampled from the selected node per simulation")
    c_uct: float = param(1.0, low=0, help="UCT's exploration constant")
    per_node: int = param(2, low=1, help="step pairs: the best and worst n children of a node are paired")
    rm_epochs: float = param(2.0, low=0, low_open=True, help="passes of the step scorer over its pairs")
    rm_lr: float = param(0.0, low=0, help="the step scorer's learning rate (0: 1e-3 with LoRA, 2e-5 without)")
    rm_holdout: float = param(0.25, low=0, high=1, help="share of the round's problems whose pairs test the scorer")

    def tree_search(self, questions: list[str], seed: int, value: Valuer | None = None) -> tuple[list[Tree], dict]:
        """The round's trees (the current policy samples) and their monitors; pass@1 etc. are over the
        rollouts, ``gv_gap`` is the share of problems the search solved (verified) minus pass@1."""
        T = self.T
        trees = search(
            questions,
            prompt=T.prompt,
            correct=T.correct,
            sample=lambda prompts, n, s: self.sample(self.current, prompts, n, s),
            simulations=self.simulations,
            expand=self.expand,
            seed=seed,
            value=value,
            c_uct=self.c_uct,
        )
        mon: dict[str, Any] = sample_monitors(questions, [[text for text, _ in t.rollouts] for t in trees], T)
        mon.update(search_monitors(trees))
        mon["gv_gap"] = mon["verified"] - mon["pass1"]
        return trees, mon

    # -- the step scorer (PPM / PRM) ----------------------------------------------------------------
    def rm_dir(self, round_: int) -> Path:
        return Path(self.run_dir) / f"rm-{round_:02d}"

    def latest_rm(self) -> str | None:
        """The step scorer of the latest earlier round that trained one."""
        from evoforge.genomes.weights.reward_model import is_reward_model

        for r in range(self.round - 1, 0, -1):
            if is_reward_model(self.rm_dir(r)):
                return str(self.rm_dir(r))
        return None

    def save_pairs(self, pairs: list[dict[str, str]]) -> None:
        self.save_rows(f"pairs-{self.round:02d}", pairs)

    def train_rm(self, start: str | Path, monitors: dict[str, Any]) -> str | None:
        """Train this round's step scorer from ``start`` on the saved pairs; record its held-out accuracy."""
        from evoforge.genomes.weights.reward_model import RMConfig, pair_accuracy, train_reward_model

        path = Path(self.run_dir) / f"pairs-{self.round:02d}.json"
        pairs = json.loads(path.read_text()) if path.is_file() else []
        questions = list(dict.fromkeys(p["question"] for p in pairs))
        every = round(1 / self.rm_holdout) if self.rm_holdout > 0 else 0
        held = {q for i, q in enumerate(questions) if every and i % every == every - 1}
        train = [{k: p[k] for k in PAIR_KEYS} for p in pairs if p["question"] not in held]
        test = [{k: p[k] for k in PAIR_KEYS} for p in pairs if p["question"] in held]
        monitors.update(rm_pairs=len(train), rm_test_pairs=len(test))
        if not train:
            return None
        cfg = RMConfig(
            lora=self.lora,
            lora_r=self.lora_r,
            lr=self.rm_lr or None,
            epochs=self.rm_epochs,
            batch_size=self.train_batch,
            seed=self.round,
        )
        rm = train_reward_model(start, train, self.rm_dir(self.round), cfg)
        monitors["rm_acc"] = pair_accuracy(rm, test) if test else None
        return str(rm)


def rm_value(rm: str) -> Valuer:
    """A step scorer as the search's value: the logistic of its score of (partial solution, step)."""
    from evoforge.genomes.weights.reward_model import score

    def value(contexts: list[str], steps: list[str]) -> list[float]:
        return [1 / (1 + math.exp(-max(-60.0, min(60.0, s)))) for s in score(rm, contexts, steps)]  # type: ignore[arg-type]

    return value


def solution_scores(rm: str, prompt: str, texts: list[str], aggregate: str = "min") -> list[float]:
    """A process reward model's score of each whole solution: its score of every step given the steps
    before it, aggregated by ``min`` (the weakest step), ``last`` or ``mean``."""
    from evoforge.genomes.weights.reward_model import score

    contexts, steps, owner = [], [], []
    for i, text in enumerate(texts):
        parts = split_steps(text) or [""]
        for j, step in enumerate(parts):
            contexts.append(prompt + "".join(parts[:j]))
            steps.append(step)
            owner.append(i)
    flat = score(rm, contexts, steps)
    per: list[list[float]] = [[] for _ in texts]
    for i, s in zip(owner, flat):  # type: ignore[arg-type]
        per[i].append(float(s))
    pick = {"min": min, "last": lambda xs: xs[-1], "mean": lambda xs: sum(xs) / len(xs)}[aggregate]
    return [pick(xs) for xs in per]
