"""``agent-evol``: AgentEvol ("AgentGym: Evolving Large Language Model-based Agents across Diverse
Environments", Xi et al., 2024). The agent first clones a teacher's episodes (round 0: the run's model
acting), then, round after round, explores the environments itself (the text phone and ReAct search,
``agent-weights`` task) and is fine-tuned from the base on its own episodes weighted by their reward
(an episode with reward r in (0, 1] is repeated ceil(r * ``copies``) times, so the SFT loss is the
reward-weighted likelihood), merged with the teacher's (``mix_seed``). Each round's checkpoint is
scored on held-out items; ``evoforge show`` prints the per-round table (held-out success before and
after each round) and the final checkpoint is the recipe's answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from evoforge.core.recipe import param, register
from evoforge.genomes.weights.task import EpisodeTask

from . import _agent_training
from ._agent_training import explore, teacher_clone, teacher_rows
from ._base import WARM_SEED, SelfTraining


@register("agent-evol")
@dataclass(kw_only=True)
class AgentEvol(SelfTraining):
    summary = "explore environments, then reward-weighted fine-tuning on the agent's own episodes, round after round"
    task_type = EpisodeTask
    needs_model = True

    problems: int = _agent_training.problems()
    samples: int = _agent_training.samples()
    warm_start: int = _agent_training.warm_start()
    max_length: int = _agent_training.max_length()
    min_reward: float = param(0.5, low=0, high=1, help="episodes below this reward are not trained on")
    copies: int = param(2, low=1, help="repeats of a reward-1 episode (reward r: ceil(r * copies))")

    def questions(self, seed):
        return self.episode_task.train_items(self.problems, seed)

    def teacher_items(self):
        return self.episode_task.train_items(self.warm_start, WARM_SEED)

    def seed_rows(self):
        return teacher_rows(self)[0]

    def _round_zero(self):
        return teacher_clone(self)

    def build(self, questions, seed, rng):
        return explore(self, questions, seed, rng)

    def train_overrides(self, kind):
        return {"max_length": self.max_length}

    def keep(self, episodes, rng):
        rows, kept = [], 0
        for e in episodes:
            if e["reward"] >= self.min_reward and e["reward"] > 0 and e["rows"]:
                rows += e["rows"] * math.ceil(e["reward"] * self.copies)
                kept += 1
        envs = sorted({e["env"] for e in episodes})
        mon = {f"{env}_reward": sum(e["reward"] for e in episodes if e["env"] == env)
               / max(1, sum(e["env"] == env for e in episodes)) for env in envs}  # fmt: skip
        return rows, {"accepted": kept, **mon}
