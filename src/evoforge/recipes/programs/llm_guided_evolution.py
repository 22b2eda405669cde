"""``llm-guided-evolution``: "LLM Guided Evolution - The Automation of Models Advancing Models"
(Morris et al., 2024), with its Evolution of Thought: the model reflects on past outcomes (which
changes helped, which hurt) and the lessons it writes go into the following mutation prompts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.selection import tournament
from evoforge.core.task import Task
from evoforge.genomes.programs.ops import ProgramOps, call_of, child
from evoforge.genomes.programs.templates import ProgramSpec


@register("llm-guided-evolution")
@dataclass(kw_only=True)
class LLMGuidedEvolution(Recipe):
    summary = "LLM-guided evolution with reflection on past outcomes (Evolution of Thought)"
    genomes = ("program",)
    needs_model = True

    batch_size: int = param(2, low=1, help="model children per batch")
    population: int = param(10, low=1, help="programs kept (best first)")
    reflect_every: int = param(3, low=1, help="batches between reflections")
    max_tokens: int = param(384, low=1, help="cap on every answer")
    reflection_tokens: int = param(120, low=1, help="cap on a reflection's answer")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")

    spec: ProgramSpec | None = state()
    ops: ProgramOps | None = state()
    pop: list[Candidate] = state(factory=list)
    outcomes: list[str] = state(factory=list)  # recent attempts and how they did
    lessons: str = state("")  # the last reflection, shown in mutation prompts
    batches: int = state(0)
    seeded: bool = state(False)  # SEED has been proposed
    known: dict[int, Candidate] = state(factory=dict)  # every told candidate by id
    reflected_at: int = state(-1)  # the batch of the last reflection

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature)
        self.pop, self.outcomes, self.lessons = [], [], ""
        self.batches, self.seeded = 0, False
        self.known = {}

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        if (
            self.batches
            and self.batches % self.reflect_every == 0
            and self.outcomes
            and self.reflected_at != self.batches
        ):
            self.reflected_at = self.batches
            prompt = (
                f"Task: {self.spec.description}\nRecent attempts and outcomes:\n"
                + "\n".join(self.outcomes[-6:])
                + "\nWrite 2 short lessons (one line each) on what to try next and what to avoid."
            )
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
            out.append(child(program, [parent], "mutate", call=call_of(prompt, answer), idea=idea))
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
        del self.pop[self.population :]
        self.outcomes = self.outcomes[-12:]
        self.batches += 1

    def discarded(self) -> dict[str, int]:
        """Model answers dropped before evaluation (unusable, AST or near duplicates), by reason."""
        return dict(self.ops.unusable) if self.ops is not None else {}
