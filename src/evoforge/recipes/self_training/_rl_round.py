"""The RL update of a round, composed by the RL recipes: a recipe whose ``build`` returns kind ``"rl"``
and rows ``{"prompt", "question", "label", ...}`` trains them by GRPO or RLOO
(:mod:`evoforge.genomes.weights.rl`) with its own reward function; :func:`verifier_reward` is the plain
one, "the completion's answer equals the row's label" -- a verifier when the label is the gold answer,
a pseudo-label when it is a majority vote. Such a recipe continues from the current model each round
(``from_base = False``: on-policy).

:class:`RLRound` wraps the reward to record what the trainer sampled: the completions of the *solve*
turns (rows with no ``turn`` column, or ``turn == "solve"``) give the round's monitors (pass@1, pass@k,
maj@k, diversity over each group of ``group`` samples, as the policy sampled them during the update),
the mean reward and the share of groups that gave a gradient (not all equal); the mean reward of the
other turns (verify, correct) is ``rl_check_reward``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.rl import ALGOS, RLConfig, rl
from evoforge.genomes.weights.task import WeightsTask

Reward = Callable[..., list[float]]  # reward(prompts, completions, label, **columns) -> one float each


class RLRecipe(Protocol):
    """What :func:`rl_config` reads from a recipe: the parameters declared with the factories below."""

    name: str
    round: int
    lora: bool
    lora_r: int
    lr: float
    algo: str
    group: int
    rl_temperature: float
    kl: float
    rl_lr: float
    epochs: float
    train_batch: int

    @property
    def task_value(self) -> WeightsTask: ...


def algo() -> Any:
    return param("grpo", choices=list(ALGOS), help="the RL update: grpo (group-relative) or rloo (leave-one-out)")


def group() -> Any:
    return param(4, low=2, help="completions sampled per prompt during the update (GRPO's group)")


def rl_temperature() -> Any:
    return param(1.0, low=0, low_open=True, help="sampling temperature of the update")


def kl() -> Any:
    return param(0.0, low=0, help="KL penalty to the round's starting model (0: none)")


def rl_lr() -> Any:
    return param(5e-4, low=0, low_open=True, help="learning rate of the RL update (when lr is 0)")


def epochs() -> Any:
    return param(1.0, low=0, low_open=True, help="passes over each round's prompts")


def train_batch() -> Any:
    return param(16, low=1, help="completions per optimizer step (a multiple of group)")


def verifier_reward(task: WeightsTask, completions: Sequence[str], label: Sequence[str]) -> list[float]:
    """1 when the completion's answer is the row's label, else 0."""
    return [1.0 if task.answer(c) == lab else 0.0 for c, lab in zip(completions, label)]


@dataclass
class RLRound:
    """One round's RL update with ``config`` (built for the update, never kept in the recipe's state)."""

    task: WeightsTask
    config: RLConfig
    seen: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # solve prompt -> (label, completions)
    turn_rewards: list[float] = field(default_factory=list)  # rewards of the other turns, in order

    def recording(self, reward: Reward) -> Reward:
        """``reward`` that also records the samples it scores (see the module docstring)."""

        def recorded(prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
            turns = columns.get("turn") or ["solve"] * len(prompts)
            for p, c, lab, turn in zip(prompts, completions, label, turns):
                if turn == "solve":
                    self.seen.setdefault(p, (lab, []))[1].append(c)
            out = reward(prompts, completions, label, **columns)
            self.turn_rewards += [v for v, turn in zip(out, turns) if turn != "solve"]
            return out

        return recorded

    def update(
        self, start: str, rows: list[dict[str, Any]], out: Path, monitors: dict[str, Any], reward: Reward
    ) -> Path:
        """Train ``start`` on ``rows`` with ``reward``; the sampled completions' monitors join ``monitors``
        (none when this very update was done before: a resumed round)."""
        ckpt = rl(start, rows, self.recording(reward), out, self.config)
        seen = self.seen
        if seen:
            labels = {r["prompt"]: r for r in rows}
            prompts = [p for p in seen if p in labels]
            sampled = sample_monitors(
                [labels[p]["question"] for p in prompts], [seen[p][1] for p in prompts], self.task
            )
            rewarded = [sum(self.task.answer(c) == seen[p][0] for c in seen[p][1]) for p in prompts]
            for k, v in {**sampled, "gv_gap": sampled["passk"] - sampled["pass1"]}.items():  # as sampled in the update
                monitors.setdefault(k, v)
            monitors["rl_reward"] = sum(rewarded) / max(1, sum(len(seen[p][1]) for p in prompts))
            # a group whose completions all score the same gives no gradient (zero advantage)
            monitors["rl_informative"] = sum(0 < r < len(seen[p][1]) for r, p in zip(rewarded, prompts)) / max(
                1, len(prompts)
            )
        if self.turn_rewards:  # the mean reward of the verify / correct turns sampled during the update
            monitors["rl_check_reward"] = sum(self.turn_rewards) / len(self.turn_rewards)
        return ckpt


def rl_config(r: RLRecipe, reward_label: str = "answer-equals-label") -> RLConfig:
    """The RL update's settings from recipe ``r``'s parameters (``algo``, ``group``, ``rl_temperature``,
    ``kl``, ``rl_lr``, ``epochs``, ``train_batch`` and the shared ``lora``, ``lora_r``, ``lr``); the
    reward's name (recipe and ``reward_label``) is part of the update's identity."""
    return RLConfig(
        algo=r.algo,
        group=r.group,
        temperature=r.rl_temperature,
        max_new_tokens=r.task_value.max_new_tokens,
        kl=r.kl,
        lora=r.lora,
        lora_r=r.lora_r,
        lr=r.lr or r.rl_lr,
        epochs=r.epochs,
        batch_size=r.train_batch,
        seed=r.round,
        reward_name=f"{r.name}:{reward_label}",
    )
