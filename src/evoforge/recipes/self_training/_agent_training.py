"""Rounds of self-training for an agent's weights (``agent-evol``, ``rest-react``), on the
:class:`~._self_training.SelfTraining` loop with the ``agent-weights`` task.

Round 0 clones a teacher: the run's model (``--model``, metered and counted in the run's budget) acts
as the agent on ``warm_start`` training items per environment; the episodes the recipe keeps
(:meth:`AgentTraining.keep`) become the supervised warm start of the base checkpoint. Each later round
explores with the current checkpoint (``samples`` episodes per item at ``temperature``, each a
:class:`~evoforge.genomes.weights.policy.CheckpointModel` with its own seed), keeps episodes the same way and
fine-tunes through TRL (SFT, from the base each round, the teacher's rows mixed in with ``mix_seed``).
Every episode's (prompt, reply) pairs are its training rows; the engine's evaluation of each round's
checkpoint is its held-out success. Rows live in the run's checkpoint folder, so a resumed run
reuses them and the finished updates (and the generation cache) are not redone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import param
from evoforge.genomes.weights import models
from evoforge.genomes.weights.policy import CheckpointModel
from evoforge.genomes.weights.train import TrainConfig, data_key, sft

from ._base import WARM_SEED, SelfTraining


@dataclass(kw_only=True)
class AgentTraining(SelfTraining):
    """Base of the agent weight-training recipes (not registered itself)."""

    needs_model = True
    problems: int = param(4, low=0, help="training items per environment per round")
    samples: int = param(2, low=1, help="episodes per item per round")
    warm_start: int = param(4, low=0, help="training items per environment the teacher (--model) acts on")
    max_length: int = param(1024, low=64, help="tokens per training row (agent prompts are long)")

    def keep(self, episodes: list[dict[str, Any]], rng: np.random.Generator) -> tuple[list[dict], dict]:
        """The training rows from a batch of episodes, and monitors; the recipes override it."""
        raise NotImplementedError

    def episodes(self, model_for: Any, refs: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
        return [{**self.T.episode(model_for(j), ref), "sample": j} for ref in refs for j in range(k)]

    def seed_rows(self) -> list[dict[str, str]]:
        path = Path(self.run_dir) / "teacher.json"
        if path.is_file():
            return json.loads(path.read_text())
        refs = self.teacher_items() if self.warm_start else []
        episodes = self.episodes(lambda j: self.model, refs, 1)
        rows, mon = self.keep(episodes, np.random.default_rng(WARM_SEED))
        self.teacher = {"episodes": len(episodes), "success": _mean([e["reward"] >= 1 for e in episodes]), **mon}
        path.write_text(json.dumps(rows))
        return rows

    def teacher_items(self) -> list[dict[str, Any]]:
        return self.T.train_items(self.warm_start, WARM_SEED)

    def _round_zero(self) -> Candidate:
        base = models.resolve(self.base)
        rows = self.seed_rows()
        mon = {"round": 0, "dataset": len(rows), **{f"teacher_{k}": v for k, v in getattr(self, "teacher", {}).items()}}
        if not rows:  # the teacher kept nothing: the base itself is the starting checkpoint
            return Candidate(genome=str(base), operator="base", info={"round": 0, "monitors": mon})
        cfg = TrainConfig(lora=self.lora, lora_r=self.lora_r, lr=self.lr or None, epochs=self.warm_epochs,
                          batch_size=self.warm_batch, seed=0, max_length=self.max_length)  # fmt: skip
        ckpt = sft(base, rows, Path(self.run_dir) / f"warm-{data_key('sft', base, rows, cfg)}", cfg)
        return Candidate(genome=str(ckpt), operator="teacher-clone", info={"round": 0, "monitors": mon})

    def questions(self, seed: int) -> list[Any]:
        return self.T.train_items(self.problems, seed)

    def build(self, questions: list[Any], seed: int, rng: np.random.Generator) -> tuple[str, list[dict], dict]:
        cache = Path(self.run_dir) / "gen-cache"

        def policy(j: int) -> CheckpointModel:
            return CheckpointModel(self.current, temperature=self.temperature, salt=seed % 9973 + j, cache_dir=cache)

        episodes = self.episodes(policy, questions, self.samples)
        rows, mon = self.keep(episodes, rng)
        first = [e["reward"] >= 1 for e in episodes if e["sample"] == 0]
        mon.update(pass1=_mean(first), episodes=len(episodes), mean_reward=_mean([e["reward"] for e in episodes]),
                   calls=sum(e["calls"] for e in episodes))  # fmt: skip
        return "sft", rows, mon

    def train_overrides(self, kind: str) -> dict[str, Any]:
        return {"max_length": self.max_length}

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("teacher", None)
        return state


def _mean(values: list[Any]) -> float:
    return float(np.mean(values)) if values else 0.0
