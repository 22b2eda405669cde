"""``rest-react``: ReST meets ReAct ("ReST meets ReAct: Self-Improvement for Multi-Step Reasoning LLM
Agent", Aksitov et al., 2023). A ReAct agent answers questions with a search tool over a local corpus
(``agent-weights`` task, ``search``). Each round it samples ``samples`` trajectories per question; the
run's model, as judge (AI feedback, no gold answers; metered and counted in the run's budget), ranks
them and grades the best; the best trajectory of each question, when its grade reaches ``min_grade``,
is distilled into the weights by SFT (from the base, on everything kept so far). The batch of questions
grows each round (``problems * growth ** (round - 1)``). Round 0 distils the teacher (the run's model
acting), judged the same way. Held-out answers are checked against the known ones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.errors import BudgetExhausted, ConfigError
from evoforge.core.recipe import param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.memory.base import json_value
from evoforge.genomes.weights.task import EpisodeTask
from evoforge.llm.errors import ModelError

from . import _agent_training
from ._agent_training import explore, teacher_clone, teacher_rows
from ._base import WARM_SEED, SelfTraining

JUDGE = (
    "You judge trajectories of a research agent that answers a question with a search tool. Rank them by "
    "how well the final answer is supported by what the searches found. Reply with one JSON object: "
    '{"best": <number of the best trajectory>, "grade": <0-10, how well supported its answer is>}'
)


@register("rest-react")
@dataclass(kw_only=True)
class ReSTReAct(SelfTraining):
    summary = "ReAct agent with search; trajectories ranked by AI feedback, the best distilled; batch grows"
    task_type = EpisodeTask
    needs_model = True

    problems: int = _agent_training.problems()
    samples: int = _agent_training.samples()
    warm_start: int = _agent_training.warm_start()
    max_length: int = _agent_training.max_length()
    growth: float = param(2.0, low=1, help="factor by which the batch of questions grows each round")
    min_grade: int = param(6, low=0, high=10, help="judge's grade the best trajectory needs to be kept")
    judge_tokens: int = param(64, low=16, help="cap on a judge reply")
    judged: dict[str, int] = state(factory=lambda: {"calls": 0, "unusable": 0, "kept": 0})

    def questions(self, seed: int) -> list[Any]:
        n = round(self.problems * self.growth ** max(0, self.round - 1))
        return [r for r in self.episode_task.train_items(n, seed) if r["env"] == "search"]

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        if task.options.get("env") != "search":
            raise ConfigError("rest-react runs on the search environment: --task agent-weights --set task.env=search")
        super().setup(task, rng)

    def teacher_items(self) -> list[dict[str, Any]]:
        return [r for r in self.episode_task.train_items(self.warm_start, WARM_SEED) if r["env"] == "search"]

    def seed_rows(self):
        return teacher_rows(self)[0]

    def _round_zero(self):
        return teacher_clone(self)

    def build(self, questions, seed, rng):
        return explore(self, questions, seed, rng)

    def train_overrides(self, kind):
        return {"max_length": self.max_length}

    def keep(self, episodes, rng):
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for e in episodes:
            groups.setdefault((e["env"], e["seed"], e["index"]), []).append(e)
        rows, kept, grades = [], 0, []
        for ref, group in groups.items():
            best, grade = self.judge(self.episode_task.question(dict(zip(("env", "seed", "index"), ref))), group, rng)
            grades.append(grade)
            if best is not None and grade >= self.min_grade and group[best]["rows"]:
                rows += group[best]["rows"]
                kept += 1
        self.judged["kept"] += kept
        self.save_rows(f"data-{self.round:02d}", rows)
        if self.round > 0:  # everything kept so far (the batch grows; the data accumulates)
            rows = self.round_rows(range(1, self.round)) + rows
        gold = float(np.mean([e["reward"] for e in episodes])) if episodes else 0.0
        return rows, {"accepted": kept, "questions": len(groups), "judge_grade": float(np.mean(grades or [0])),
                      "true_reward": gold}  # fmt: skip

    def judge(self, question: str, group: list[dict[str, Any]], rng: np.random.Generator) -> tuple[int | None, int]:
        shown = []
        for i, e in enumerate(group):
            last = e["rows"][-1] if e["rows"] else {"prompt": "", "completion": "(no steps)"}
            steps = last["prompt"].split(f"Question: {question}")[-1].rsplit("Reply with", 1)[0].strip()
            shown.append(f"Trajectory {i}:\n{steps[-1200:]}\nFinal step: {last['completion'].strip()[:200]}")
        prompt = f"Question: {question}\n\n" + "\n\n".join(shown)
        self.judged["calls"] += 1
        try:
            out = self.model.chat([{"role": "system", "content": JUDGE}, {"role": "user", "content": prompt}],
                                  temperature=0.0, max_tokens=self.judge_tokens,
                                  seed=int(rng.integers(0, 2**31 - 1)), tag="judge")  # fmt: skip
            found = json_value(out[0].text if out else "") or {}
        except BudgetExhausted:
            raise
        except ModelError:
            found = {}
        best, grade = found.get("best"), found.get("grade")
        if not isinstance(best, int) or not 0 <= best < len(group) or not isinstance(grade, (int, float)):
            self.judged["unusable"] += 1
            return None, 0
        return best, int(grade)

    def report(self, store: Any) -> str | None:
        table = super().report(store) or ""
        return table + "\njudge: " + json.dumps(self.judged)
