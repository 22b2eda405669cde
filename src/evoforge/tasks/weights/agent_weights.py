"""Agents whose weights learn: the genome is a model checkpoint (as in ``addition``), the score its
held-out success as the policy of a fixed agent in offline environments: ``apps`` (the text phone's
held-out goals, :mod:`evoforge.genomes.agents.phone.apps`) and ``search`` (a ReAct agent answering questions with a
search tool over a generated corpus, :mod:`evoforge.genomes.agents.search_qa`). The agents run in the sandbox;
the checkpoint answers their model calls (:class:`evoforge.genomes.weights.policy.CheckpointModel`, greedy).

For the training recipes (``agent-evol``, ``rest-react``), an
:class:`~evoforge.genomes.weights.task.EpisodeTask`: ``train_items`` (items disjoint from the held-out
ones) and ``episode`` (one item, any model: its reward and the (prompt, reply) rows).
Options: ``env`` (apps | search | both), ``heldout`` (items per environment), ``call_limit`` (apps).
"""

import random
from dataclasses import dataclass
from typing import Any

from evoforge.core.task_value import option
from evoforge.genomes.agents.search_qa import search_task
from evoforge.genomes.agents.task import AgentFailure
from evoforge.genomes.weights.policy import CheckpointModel, Recorder
from evoforge.genomes.weights.task import EpisodeTask
from evoforge.tasks.agents.agent_apps import TASK as APPS


@dataclass(kw_only=True)
class AgentWeights(EpisodeTask):
    """The phone and search agents with the checkpoint as their model; the base model is SmolLM2."""

    description: str = "an agent's weights: held-out success on the text phone and/or ReAct search (genome: checkpoint)"
    env: str = option("both", help="apps | search | both")
    heldout: int = option(8, help="held-out items per environment")
    call_limit: int = option(7, help="model calls per phone goal")

    def __post_init__(self) -> None:
        if self.env not in ("apps", "search", "both") or self.heldout < 1 or self.call_limit < 1:
            raise ValueError("env is apps, search or both; heldout and call_limit at least 1")

    def envs(self) -> list[str]:
        return ["apps", "search"] if self.env == "both" else [self.env]

    def env_task(self, env: str, seed: int | None = None) -> Any:
        """The agent task of ``env``: with a ``seed``, its ``search`` items are training items (for apps,
        ``seed`` picks their sequence); without, its ``heldout`` items are the fixed held-out ones."""
        return self.cached(f"{env}-{seed}", lambda: self._env_task(env, seed))

    def _env_task(self, env: str, seed: int | None) -> Any:
        if env != "apps":
            return search_task(0, self.heldout)
        goals_seed = 0 if seed is None else 1000 + seed  # the held-out goals come from 0, training ones not
        options = {"tasks": self.heldout, "seed": goals_seed, "call_limit": self.call_limit}
        return APPS.with_options("agent-apps", options)[0]

    def train_items(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` training items per environment (never held-out ones): ``{"env", "seed", "index"}``."""
        out = []
        for env in self.envs():
            pool = self.env_task(env, seed).search
            picks = random.Random(seed).sample(range(len(pool)), min(n, len(pool)))
            out += [{"env": env, "seed": seed, "index": i} for i in picks]
        return out

    def question(self, ref: dict[str, Any]) -> str:
        return str(self.env_task(ref["env"], ref["seed"]).search[ref["index"]]["question"])

    def episode(self, model: Any, ref: dict[str, Any]) -> dict[str, Any]:
        """Run the env's agent on one training item with ``model``: reward in [0, 1], rows, the answer."""
        task = self.env_task(ref["env"], ref["seed"])
        rec = Recorder(model)
        try:
            result = task.evaluate({**task.seed, "items": [ref["index"]]}, model=rec)
            reward = float(result["score"])
            trace = (result["metrics"].get("trajectories") or [[]])[0]
        except AgentFailure:
            reward, trace = 0.0, []
        return {**ref, "reward": reward, "rows": rec.log, "calls": len(rec.log), "trajectory": trace}

    def evaluate(self, genome: Any) -> dict[str, Any]:
        from evoforge.genomes.weights import models

        policy = CheckpointModel(models.resolve(str(genome)), temperature=0.0,
                                 cache_dir=models.weights_root() / "eval-cache")  # fmt: skip
        metrics: dict[str, Any] = {}
        solved = total = 0
        for env in self.envs():
            task = self.env_task(env)
            n = len(task.heldout)
            try:
                result = task.evaluate({**task.seed, "split": "heldout", "items": list(range(n))}, model=policy)
                wins = sum(c >= 1.0 for c in result["metrics"]["correct"])
            except AgentFailure:
                wins = 0
            metrics[f"{env}_success"] = wins / n
            solved, total = solved + wins, total + n
        metrics.update(heldout_acc=solved / total, heldout_n=total)
        return {"score": solved / total, "metrics": metrics}


TASK = AgentWeights()
