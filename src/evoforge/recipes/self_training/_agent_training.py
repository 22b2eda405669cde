"""Rounds of self-training for an agent's weights (``agent-evol``, ``rest-react``), composed by each on
the :class:`~._base.SelfTraining` loop with an :class:`~evoforge.genomes.weights.task.EpisodeTask`
(the ``agent-weights`` task).

Round 0 clones a teacher (:func:`teacher_rows`, :func:`teacher_clone`): the run's model (``--model``,
metered and counted in the run's budget) acts as the agent on ``warm_start`` training items per
environment; the episodes the recipe keeps (its ``keep``) become the supervised warm start of the base
checkpoint. Each later round explores with the current checkpoint (:func:`explore`: ``samples``
episodes per item at ``temperature``, each a :class:`~evoforge.genomes.weights.policy.CheckpointModel`
with its own seed), keeps episodes the same way and fine-tunes through TRL (SFT, from the base each
round, the teacher's rows mixed in with ``mix_seed``). Every episode's (prompt, reply) pairs are its
training rows; the engine's evaluation of each round's checkpoint is its held-out success. Rows live
in the run's checkpoint folder, so a resumed run reuses them and the finished updates (and the
generation cache) are not redone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import param
from evoforge.genomes.weights import models
from evoforge.genomes.weights.policy import CheckpointModel
from evoforge.genomes.weights.task import EpisodeTask
from evoforge.genomes.weights.train import TrainConfig, data_key, sft

from ._base import WARM_SEED

Episode = dict[str, Any]


def problems() -> Any:
    return param(4, low=0, help="training items per environment per round")


def samples() -> Any:
    return param(2, low=1, help="episodes per item per round")


def warm_start() -> Any:
    return param(4, low=0, help="training items per environment the teacher (--model) acts on")


def max_length() -> Any:
    return param(1024, low=64, help="tokens per training row (agent prompts are long)")


class AgentRecipe(Protocol):
    """What the helpers read from an agent recipe: its settings, the run's model and its two parts."""

    model: Any
    run_dir: str
    current: str
    base: str
    lora: bool
    lora_r: int
    lr: float
    warm_start: int
    warm_epochs: float
    warm_batch: int
    max_length: int
    temperature: float
    samples: int

    @property
    def episode_task(self) -> EpisodeTask: ...

    def teacher_items(self) -> list[dict[str, Any]]:
        """The items the teacher acts on."""
        ...

    def keep(self, episodes: list[Episode], rng: np.random.Generator) -> tuple[list[dict], dict]:
        """The training rows from a batch of episodes, and monitors."""
        ...


def episodes(task: EpisodeTask, model_for: Callable[[int], Any], refs: list[dict[str, Any]], k: int) -> list[Episode]:
    """``k`` episodes of each item, the ``j``-th with ``model_for(j)``."""
    return [{**task.episode(model_for(j), ref), "sample": j} for ref in refs for j in range(k)]


def teacher_rows(r: AgentRecipe) -> tuple[list[dict], dict[str, Any]]:
    """The teacher's kept rows (saved as ``teacher.json`` in the run folder, read back from there when
    it exists) and, when they were made now, the teacher's monitors."""
    path = Path(r.run_dir) / "teacher.json"
    if path.is_file():
        return json.loads(path.read_text()), {}
    refs = r.teacher_items() if r.warm_start else []
    done = episodes(r.episode_task, lambda j: r.model, refs, 1)
    rows, mon = r.keep(done, np.random.default_rng(WARM_SEED))
    path.write_text(json.dumps(rows))
    return rows, {"episodes": len(done), "success": mean([e["reward"] >= 1 for e in done]), **mon}


def teacher_clone(r: AgentRecipe) -> Candidate:
    """Round 0: the base fine-tuned on the teacher's rows (the base itself when it kept none)."""
    base = models.resolve(r.base)
    rows, teacher = teacher_rows(r)
    mon = {"round": 0, "dataset": len(rows), **{f"teacher_{k}": v for k, v in teacher.items()}}
    if not rows:
        return Candidate(genome=str(base), operator="base", info={"round": 0, "monitors": mon})
    cfg = TrainConfig(lora=r.lora, lora_r=r.lora_r, lr=r.lr or None, epochs=r.warm_epochs,
                      batch_size=r.warm_batch, seed=0, max_length=r.max_length)  # fmt: skip
    ckpt = sft(base, rows, Path(r.run_dir) / f"warm-{data_key('sft', base, rows, cfg)}", cfg)
    return Candidate(genome=str(ckpt), operator="teacher-clone", info={"round": 0, "monitors": mon})


def explore(r: AgentRecipe, items: list[dict[str, Any]], seed: int, rng: np.random.Generator) -> tuple[str, list, dict]:
    """A later round: ``samples`` episodes per item with the current checkpoint, kept by the recipe."""
    cache = Path(r.run_dir) / "gen-cache"

    def policy(j: int) -> CheckpointModel:
        return CheckpointModel(r.current, temperature=r.temperature, salt=seed % 9973 + j, cache_dir=cache)

    done = episodes(r.episode_task, policy, items, r.samples)
    rows, mon = r.keep(done, rng)
    first = [e["reward"] >= 1 for e in done if e["sample"] == 0]
    mon.update(pass1=mean(first), episodes=len(done), mean_reward=mean([e["reward"] for e in done]),
               calls=sum(e["calls"] for e in done))  # fmt: skip
    return "sft", rows, mon


def mean(values: list[Any]) -> float:
    return float(np.mean(values)) if values else 0.0
