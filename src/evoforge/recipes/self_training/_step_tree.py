"""What the tree-search recipes (``rstar-math``, ``meds3``) compose: a round's step-level MCTS with the
current policy (:mod:`evoforge.genomes.weights.step_search`, :func:`tree_search`), its monitors, and a
learned step scorer (a process preference / reward model, :mod:`evoforge.genomes.weights.reward_model`)
trained on the tree's step pairs (:class:`StepScorers`).

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
from typing import Any, Protocol

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.reward_model import RMConfig, is_reward_model, pair_accuracy, train_reward_model
from evoforge.genomes.weights.step_check import split_steps
from evoforge.genomes.weights.step_search import Tree, Valuer, search, search_monitors
from evoforge.genomes.weights.task import WeightsTask

PAIR_KEYS = ("prompt", "chosen", "rejected")


def problems() -> Any:
    return param(16, low=1, help="training problems per round (one tree each)")


def samples() -> Any:
    return param(1, low=1, help="not used: a tree's samples are its simulations x expand rollouts")


def simulations() -> Any:
    return param(3, low=1, help="MCTS simulations per tree (each samples `expand` continuations)")


def expand() -> Any:
    return param(4, low=1, help="continuations sampled from the selected node per simulation")


def c_uct() -> Any:
    return param(1.0, low=0, help="UCT's exploration constant")


def per_node() -> Any:
    return param(2, low=1, help="step pairs: the best and worst n children of a node are paired")


def rm_epochs() -> Any:
    return param(2.0, low=0, low_open=True, help="passes of the step scorer over its pairs")


def rm_lr() -> Any:
    return param(0.0, low=0, help="the step scorer's learning rate (0: 1e-3 with LoRA, 2e-5 without)")


def rm_holdout() -> Any:
    return param(0.25, low=0, high=1, help="share of the round's problems whose pairs test the scorer")


class TreeRecipe(Protocol):
    """What :func:`tree_search` and :meth:`StepScorers.of` read from a recipe."""

    current: str
    run_dir: str
    round: int
    lora: bool
    lora_r: int
    train_batch: int
    simulations: int
    expand: int
    c_uct: float
    rm_epochs: float
    rm_lr: float
    rm_holdout: float

    @property
    def task_value(self) -> WeightsTask: ...

    def sample(self, ckpt: str, prompts: list[str], n: int, seed: int) -> list[list[str]]: ...


def tree_search(r: TreeRecipe, questions: list[str], seed: int, value: Valuer | None = None) -> tuple[list[Tree], dict]:
    """The round's trees (the current policy samples) and their monitors; pass@1 etc. are over the
    rollouts, ``gv_gap`` is the share of problems the search solved (verified) minus pass@1."""
    task = r.task_value
    trees = search(
        questions,
        prompt=task.prompt,
        correct=task.correct,
        sample=lambda prompts, n, s: r.sample(r.current, prompts, n, s),
        simulations=r.simulations,
        expand=r.expand,
        seed=seed,
        value=value,
        c_uct=r.c_uct,
    )
    mon: dict[str, Any] = sample_monitors(questions, [[text for text, _ in t.rollouts] for t in trees], task)
    mon.update(search_monitors(trees))
    mon["gv_gap"] = mon["verified"] - mon["pass1"]
    return trees, mon


@dataclass
class StepScorers:
    """The step scorers (PPM / PRM) of a run: round NN's pairs in ``<run_dir>/pairs-NN.json``, the scorer
    trained on them in ``<run_dir>/rm-NN``; ``round`` is the current round."""

    run_dir: Path
    round: int
    config: RMConfig
    holdout: float

    @classmethod
    def of(cls, r: TreeRecipe) -> StepScorers:
        cfg = RMConfig(lora=r.lora, lora_r=r.lora_r, lr=r.rm_lr or None, epochs=r.rm_epochs,
                       batch_size=r.train_batch, seed=r.round)  # fmt: skip
        return cls(Path(r.run_dir), r.round, cfg, r.rm_holdout)

    def path(self, round_: int) -> Path:
        return self.run_dir / f"rm-{round_:02d}"

    def latest(self) -> str | None:
        """The step scorer of the latest earlier round that trained one."""
        for r in range(self.round - 1, 0, -1):
            if is_reward_model(self.path(r)):
                return str(self.path(r))
        return None

    def save_pairs(self, pairs: list[dict[str, str]]) -> None:
        """This round's step pairs (with their ``question``), for :meth:`train`."""
        (self.run_dir / f"pairs-{self.round:02d}.json").write_text(json.dumps(pairs))

    def train(self, start: str | Path, monitors: dict[str, Any]) -> str | None:
        """Train this round's step scorer from ``start`` on the saved pairs; record its held-out accuracy."""
        path = self.run_dir / f"pairs-{self.round:02d}.json"
        pairs = json.loads(path.read_text()) if path.is_file() else []
        questions = list(dict.fromkeys(p["question"] for p in pairs))
        every = round(1 / self.holdout) if self.holdout > 0 else 0
        held = {q for i, q in enumerate(questions) if every and i % every == every - 1}
        train = [{k: p[k] for k in PAIR_KEYS} for p in pairs if p["question"] not in held]
        test = [{k: p[k] for k in PAIR_KEYS} for p in pairs if p["question"] in held]
        monitors.update(rm_pairs=len(train), rm_test_pairs=len(test))
        if not train:
            return None
        rm = train_reward_model(start, train, self.path(self.round), self.config)
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
