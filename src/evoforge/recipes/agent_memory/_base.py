"""The loop the memory recipes share: one agent, a sequence of tasks, a memory carried between them.

Task after task (the task's search items, in order), the agent's genome is the task's seed agent with
its memory parts filled from :meth:`Memory.recall` of that task; after the evaluation, the trajectory
and outcome go to :meth:`Memory.update` (at most one reflector call to the run's model). The memory
lives in the recipe's state, so the engine checkpoints it with every batch (a killed run resumes with
it), and the report prints it for ``evoforge show``. ``memory=false`` is the control arm: the same
agent and tasks, no memory, no reflector calls. ``memory_file`` carries a memory across runs (JSON).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import BudgetExhausted, ConfigError
from evoforge.core.recipe import Recipe, param, state
from evoforge.core.task import Task
from evoforge.genomes.agents.memory.base import Memory, with_memory
from evoforge.genomes.agents.memory.kinds import load_memory, new_memory
from evoforge.genomes.agents.task import search_items
from evoforge.llm.errors import ModelError

REFLECTOR = "You reflect on the experience of a phone agent. Answer exactly in the format asked for."


@dataclass(kw_only=True)
class MemoryRun(Recipe):
    genomes = ("agent",)
    needs_model = True
    dedupe = False  # a task may come again in a longer sequence; it is a new attempt
    default_budget = 16
    eval_timeout = 600.0
    memory_kind: ClassVar[str] = "none"

    batch_size: int = param(1, low=1, high=1, help="tasks at a time: one, so each task sees the memory of the last")
    memory: bool = param(True, help="carry memory between tasks; false: the control arm (no memory, no reflector)")
    tasks: int = param(0, low=0, help="tasks of the sequence to run, in order (0: every search item)")
    memory_file: str = param("", help="JSON memory state to start from, saved back after every task ('': none)")
    reflect_tokens: int = param(512, low=64, help="cap on a reflector reply")

    mem: Memory | None = state()
    agent: dict[str, Any] = state(factory=dict)
    goals: list[str] = state(factory=list)
    position: int = state(0)
    history: list[dict[str, Any]] = state(factory=list)  # one row per task
    halted: str = state("")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        items = search_items(task)
        if not items:
            raise ConfigError(f"recipe {self.name!r} needs an agent task with a sequence of search items")
        self.goals = [str(x.get("question", "")) for x in items][: self.tasks or None]
        self.agent = {k: v for k, v in dict(task.seed).items() if k not in ("items", "split")}
        self.mem = new_memory(self.memory_kind if self.memory else "none")
        if self.memory and self.memory_file and Path(self.memory_file).is_file():
            self.mem = self._load_file()

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.position >= len(self.goals) or self.mem is None:
            return []
        i = self.position
        self.position += 1
        genome = {**with_memory(self.agent, self.mem, {"question": self.goals[i]}), "items": [i]}
        return [Candidate(genome=genome, operator=self.memory_kind if self.memory else "control")]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            i = int((cand.genome.get("items") or [0])[0])
            ran = cand.ok and cand.score is not None
            score = float(cand.score or 0.0) if ran else 0.0
            calls, actions = int(cand.metrics.get("calls") or 0), sum(cand.metrics.get("actions") or [0])
            row = {
                "task": i,
                "id": cand.id,
                "score": score,
                "solved": ran and score >= 1.0,
                "calls": calls,
                "actions": actions,
            }
            trajectory = (cand.metrics.get("trajectories") or [[]])[0]
            outcome = {"goal": self.goals[i], "success": row["solved"], "score": score}
            if not ran:
                row["note"] = "agent failed: " + " ".join((cand.reason or "").split())[:120]
            elif self.memory and not self.halted:
                try:
                    row["note"] = self.mem.update(trajectory, outcome, lambda p: self._reflect(p, rng))
                except BudgetExhausted as err:
                    self.halted, row["note"] = str(err), "budget exhausted before reflecting"
                self._save_file()
            cand.info["memory"] = row.get("note", "")
            self.history.append(row)

    def _reflect(self, prompt: str, rng: np.random.Generator) -> str | None:
        messages = [{"role": "system", "content": REFLECTOR}, {"role": "user", "content": prompt}]
        try:
            out = self.model.chat(
                messages, temperature=0.0, max_tokens=self.reflect_tokens, seed=int(rng.integers(0, 2**31 - 1)),
                tag="reflect",
            )  # fmt: skip
        except BudgetExhausted:
            raise
        except ModelError:
            return None
        return out[0].text if out else None

    def stop_reason(self) -> str | None:
        if self.halted:
            return self.halted
        if self.goals and self.position >= len(self.goals):
            return f"the sequence of {len(self.goals)} tasks is done"
        return None

    # -- the memory across runs (JSON, checked on load) ----------------------------------------------
    def _load_file(self) -> Memory:
        try:
            data = json.loads(Path(self.memory_file).read_text())
            memory = load_memory(data)
        except (OSError, ValueError) as err:
            raise ConfigError(f"memory_file {self.memory_file}: {err}") from None
        if memory.kind != self.memory_kind:
            raise ConfigError(
                f"memory_file {self.memory_file} holds a {memory.kind!r} memory, not {self.memory_kind!r}"
            )
        return memory

    def _save_file(self) -> None:
        if not self.memory_file or self.mem is None:
            return
        tmp = f"{self.memory_file}.tmp"
        with open(tmp, "w") as fh:
            json.dump(self.mem.state(), fh, indent=1)
        os.replace(tmp, self.memory_file)

    # -- what readers see ----------------------------------------------------------------------------
    def report(self, store: Any) -> str | None:
        if self.mem is None:
            return None
        rows = self.history
        solved = [r for r in rows if r["solved"]]
        arm = f"memory {self.memory_kind}" if self.memory else "control arm (no memory)"
        lines = [
            f"{self.name}, {arm}: {len(rows)} of {len(self.goals)} tasks run, {len(solved)} solved"
            + (f", {np.mean([r['calls'] for r in solved]):.1f} model calls per solved task" if solved else ""),
            "  task  score  calls  actions  memory update",
        ]
        lines += [
            f"  {r['task']:>4}  {r['score']:.2f}  {r['calls']:>5}  {r['actions']:>7}  {r.get('note', '')[:70]}"
            for r in rows[-20:]
        ]
        return "\n".join(lines + [self.mem.describe()])
