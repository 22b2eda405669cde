"""``selfgoal``: a tree of sub-goals guides the agent ("SelfGoal: Your Language Agents Already Know How
to Achieve High-level Goals", Yang et al., 2024). Before the first task the run's model decomposes the
high-level ``goal`` into sub-goals; each task shows the agent the sub-goals that bear on it; after each
task the model adds sub-goals (lessons) or prunes ones that misled, and sub-goals shown again and again
without a win are pruned (:mod:`evoforge.genomes.agents.memory.goal_tree`). The tree lives in the recipe's state
(checkpointed with every batch) and is printed by ``evoforge show``; ``memory=false``: the control arm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import BudgetExhausted
from evoforge.core.recipe import param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.memory.goal_tree import ROOT_GOAL, GoalTree

from ._base import MemoryRun


@register("selfgoal")
@dataclass(kw_only=True)
class SelfGoal(MemoryRun):
    summary = "a tree of sub-goals decomposed from a high-level goal, updated from feedback, guides each task"
    memory_kind = "goal-tree"

    goal: str = param(ROOT_GOAL, help="the high-level goal at the root of the tree")
    decomposed: str = state("")  # what the decomposition did ('': not yet)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        super().setup(task, rng)
        if isinstance(self.mem, GoalTree) and len(self.mem.nodes) == 1:
            self.mem.nodes[0]["text"] = self.goal  # a tree loaded from memory_file keeps its own root

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.memory and not self.decomposed and isinstance(self.mem, GoalTree) and not self.halted:
            self.decomposed = "the tree came from memory_file"
            if len(self.mem.nodes) == 1:
                try:
                    self.decomposed = self.mem.decompose(lambda p: self._reflect(p, rng), self.goals)
                except BudgetExhausted as err:
                    self.halted, self.decomposed = str(err), "budget exhausted before decomposing"
        return super().ask(n, rng)

    def report(self, store: Any) -> str | None:
        text = super().report(store)
        if text is None or not isinstance(self.mem, GoalTree):
            return text
        head = f"decomposition: {self.decomposed or 'none'}; {self.mem.pruned} node(s) pruned since"
        return "\n".join([text, head, "goal tree:", self.mem.render()])
