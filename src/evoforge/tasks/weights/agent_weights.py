"""Agents whose weights learn: the genome is a model checkpoint (as in ``addition``), the score its
held-out success as the policy of a fixed agent in offline environments: ``apps`` (the text phone's
held-out goals, :mod:`evoforge.genomes.agents.phone.apps`) and ``search`` (a ReAct agent answering questions with a
search tool over a generated corpus, :mod:`evoforge.genomes.agents.search_qa`). The agents run in the sandbox;
the checkpoint answers their model calls (:class:`evoforge.genomes.weights.policy.CheckpointModel`, greedy).

For the training recipes (``agent-evol``, ``rest-react``): :func:`train_items` (items disjoint from
the held-out ones) and :func:`episode` (one item, any model: its reward and the (prompt, reply) rows).
Options: ``env`` (apps | search | both), ``heldout`` (items per environment), ``call_limit`` (apps).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from evoforge.genomes.agents.search_qa import search_task
from evoforge.genomes.agents.task import AgentFailure
from evoforge.genomes.weights.policy import CheckpointModel, Recorder
from evoforge.tasks.agents.agent_apps import build as apps_task

DESCRIPTION = "an agent's weights: held-out success on the text phone and/or ReAct search (genome: checkpoint)"
GENOME = "weights"
SEED = "embedded"
ENV, HELDOUT, CALL_LIMIT = "both", 8, 7
_tasks: dict[str, Any] = {}


def configure(env: str = "both", heldout: int = 8, call_limit: int = 7) -> None:
    global ENV, HELDOUT, CALL_LIMIT
    if env not in ("apps", "search", "both") or int(heldout) < 1 or int(call_limit) < 1:
        raise ValueError("env is apps, search or both; heldout and call_limit at least 1")
    ENV, HELDOUT, CALL_LIMIT = env, int(heldout), int(call_limit)
    _tasks.clear()


def envs() -> list[str]:
    return ["apps", "search"] if ENV == "both" else [ENV]


def env_task(env: str, seed: int = 0) -> Any:
    """The agent task of ``env``; for apps, ``seed`` picks the training sequence (held-out is fixed)."""
    key = f"{env}-{seed}"
    if key not in _tasks:
        if env == "apps":
            fixed = apps_task(HELDOUT, 0, CALL_LIMIT)
            _tasks[key] = dataclasses.replace(fixed, search=apps_task(HELDOUT, 1000 + seed, CALL_LIMIT).search)
        else:
            _tasks[key] = search_task(0, HELDOUT)
    return _tasks[key]


def train_items(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` training items per environment (never held-out ones): ``{"env", "seed", "index"}``."""
    out = []
    for env in envs():
        pool = env_task(env, seed).search
        picks = random.Random(seed).sample(range(len(pool)), min(n, len(pool)))
        out += [{"env": env, "seed": seed, "index": i} for i in picks]
    return out


def question(ref: dict[str, Any]) -> str:
    return str(env_task(ref["env"], ref["seed"]).search[ref["index"]]["question"])


def episode(model: Any, ref: dict[str, Any]) -> dict[str, Any]:
    """Run the env's agent on one training item with ``model``: reward in [0, 1], rows, the answer."""
    task = env_task(ref["env"], ref["seed"])
    rec = Recorder(model)
    try:
        result = task.evaluate({**task.seed, "items": [ref["index"]]}, model=rec)
        reward = float(result["score"])
        trace = (result["metrics"].get("trajectories") or [[]])[0]
    except AgentFailure:
        reward, trace = 0.0, []
    return {**ref, "reward": reward, "rows": rec.log, "calls": len(rec.log), "trajectory": trace}


def evaluate(genome: str) -> dict[str, Any]:
    from evoforge.genomes.weights import models

    policy = CheckpointModel(models.resolve(str(genome)), temperature=0.0,
                             cache_dir=models.weights_root() / "eval-cache")  # fmt: skip
    metrics: dict[str, Any] = {}
    solved = total = 0
    for env in envs():
        task = env_task(env)
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
