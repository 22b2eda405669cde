"""``llm-guided-evolution``: "LLM Guided Evolution - The Automation of Models Advancing Models"
(Morris et al., 2024), with its Evolution of Thought: the model reflects on past outcomes (which
changes helped, which hurt) and the lessons it writes go into the following mutation prompts."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..candidate import REJECTED, Candidate
from ..recipe import Recipe, register
from ..selection import tournament
from ..task import Task
from ._programs import ProgramOps, ProgramSpec, child


@register("llm-guided-evolution")
@dataclass
class LLMGuidedEvolution(Recipe):
    summary = "LLM-guided evolution with reflection on past outcomes (Evolution of Thought)"
    needs_model = True

    batch_size: int = 2
    population: int = 10
    reflect_every: int = 3       # batches between reflections
    max_tokens: int = 384
    reflection_tokens: int = 120
    temperature: float = 0.8
    state: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature)
        self.pop: list[Candidate] = []
        self.outcomes: list[str] = []
        self.lessons = ""
        self.batches, self.seeded = 0, False
        self.known: dict[int, Candidate] = {}

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        if self.batches and self.batches % self.reflect_every == 0 and self.outcomes and \
                self.state.get("reflected_at") != self.batches:
            self.state["reflected_at"] = self.batches
            prompt = (f"Task: {self.spec.description}\nRecent attempts and outcomes:\n" +
                      "\n".join(self.outcomes[-6:]) +
                      "\nWrite 2 short lessons (one line each) on what to try next and what to avoid.")
            self.lessons = self.ops.ask_model(self.model, prompt, rng, "reflect", self.reflection_tokens).strip()[:400]
        out: list[Candidate] = []
        for _ in range(n):
            if not self.pop:
                break
            parent = tournament(self.pop, 1, rng, 2)[0]
            extra = f"Lessons so far:\n{self.lessons}\n" if self.lessons else ""
            prompt = self.ops.rewrite_prompt(parent, rng, extra=extra)
            answer = self.ops.ask_model(self.model, prompt, rng, "mutate")
            program, why = self.ops.usable_rewrite(parent.genome, answer)
            if program is None:
                self.outcomes.append(f"- attempt was unusable: {why[:80]}")
                continue
            idea = prompt.rsplit("Idea to try: ", 1)[-1].split(".\n", 1)[0]
            out.append(child(program, [parent], "mutate", idea=idea))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for c in candidates:
            if c.status == REJECTED:
                continue
            parent = self.known.get(c.parents[0]) if c.parents else None
            if c.operator != "seed":
                idea = c.info.get("idea", "a change")
                if not c.ok:
                    self.outcomes.append(f"- {idea}: failed ({(c.reason or '')[:80]})")
                elif parent is not None and parent.ok:
                    delta = c.fitness() - parent.fitness()
                    self.outcomes.append(f"- {idea}: score {c.score:.4g} ({'+' if delta >= 0 else ''}{delta:.3g})")
            if c.ok:
                self.pop.append(c)
            self.known[c.id] = c
        self.pop.sort(key=Candidate.rank_key)
        del self.pop[self.population:]
        self.outcomes = self.outcomes[-12:]
        self.batches += 1
