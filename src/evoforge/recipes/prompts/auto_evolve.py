"""Auto-Evolve, from "Auto-Evolve: Enhancing Large Language Model's Performance via Self-Reasoning
Framework" (Aswani et al., 2024): instead of a fixed list of reasoning modules (SELF-DISCOVER), the model
writes its own reasoning modules for the problem, composes a reasoning plan from a few of them, answers by
following the plan, and then refines the plan iteratively. Here the refinement also reads the checker's
feedback on the plan's answer; modules whose plans score well are picked more often."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.model_call import ModelCall
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.prompts.genome import clean_prompt
from evoforge.genomes.prompts.solutions import problem_of, say, say_call


@register("auto-evolve")
@dataclass(kw_only=True)
class AutoEvolve(Recipe):
    summary = "self-created reasoning modules -> plan -> answer; plans refined with feedback"
    genomes = ("solution",)
    needs_model = True
    dedupe = False

    modules: int = param(6, low=1, help="reasoning modules the model writes for itself")
    per_plan: int = param(2, low=1, help="modules combined into one plan")
    batch_size: int = param(4, low=1, help="answers per batch")
    refine_fraction: float = param(
        0.5, low=0, high=1, help="share of children that refine the best plan instead of composing anew"
    )
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")
    max_tokens: int = param(64, low=1, help="cap on every answer")

    problem: str = state("")  # the task's PROBLEM statement
    library: list[str] = state(factory=list)  # the reasoning modules
    weights: list[float] = state(factory=list)  # how well each module's plans scored
    best: Candidate | None = state()

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.problem = problem_of(task)
        self.library, self.weights = [], []
        self.best = None

    def _create_modules(self, rng: np.random.Generator) -> None:
        tries = 0
        while len(self.library) < self.modules and tries < 2 * self.modules:
            tries += 1
            text = clean_prompt(
                say(
                    self.model,
                    f"{self.problem}\n\nWrite one short reasoning strategy (one "
                    f"sentence) that helps to solve problems like this.",
                    rng,
                    "module",
                    temperature=1.0,
                    max_tokens=40,
                )
            )
            if text and text not in self.library:
                self.library.append(text)
                self.weights.append(1.0)
        if not self.library:
            self.library, self.weights = ["Check every constraint one by one."], [1.0]

    def _solve(self, plan: str, rng: np.random.Generator) -> tuple[str, ModelCall]:
        return say_call(
            self.model,
            f"{self.problem}\n\nFollow this plan:\n{plan}\n\nAnswer with the solution only.",
            rng,
            "solve",
            temperature=self.temperature,
            max_tokens=self.max_tokens,
        )

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if len(self.library) < self.modules:
            self._create_modules(rng)
        out = []
        for _ in range(n):
            if self.best is not None and rng.random() < self.refine_fraction:
                plan = say(
                    self.model,
                    f"{self.problem}\n\nReasoning plan:\n{self.best.info['plan']}\n"
                    f"It gave: {self.best.genome}\nChecker: {self.best.feedback}\n\nImprove the plan so that it "
                    f"avoids these problems. Write the improved plan only.",
                    rng,
                    "refine_plan",
                    temperature=self.temperature,
                    max_tokens=self.max_tokens,
                )
                chosen, op, parents = self.best.info["modules"], "refine", [self.best.id]
            else:
                w = np.array(self.weights) / sum(self.weights)
                idx = rng.choice(len(self.library), size=min(self.per_plan, len(self.library)), replace=False, p=w)
                chosen = [int(i) for i in idx]
                plan = say(
                    self.model,
                    f"{self.problem}\n\nUse these reasoning modules:\n"
                    + "\n".join(f"- {self.library[i]}" for i in chosen)
                    + "\n\nWrite a short step-by-step plan for solving the problem. Do not solve it yet.",
                    rng,
                    "plan",
                    temperature=self.temperature,
                    max_tokens=self.max_tokens,
                )
                op, parents = "compose", []
            solution, call = self._solve(plan, rng)
            info = {"plan": plan[:600], "modules": chosen}
            out.append(Candidate(genome=solution, parents=parents, operator=op, info=info, call=call))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if not cand.ok:
                continue
            for i in cand.info.get("modules", []):
                if i < len(self.weights):
                    self.weights[i] = 0.8 * self.weights[i] + 0.2 * (0.1 + cand.fitness())
            if self.best is None or cand.fitness() > self.best.fitness():
                self.best = cand
