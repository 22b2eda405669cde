"""Mind Evolution, from "Evolving Deeper LLM Thinking" (Lee et al., 2025): a genetic search in natural
language over whole solutions. Islands of candidate solutions; parents picked by a Boltzmann tournament;
children written by a "refinement through critical conversation" (a critic reads the parents and the
checker's feedback, an author writes the improved solution); ring migration of the best every few
generations, and island reset (the worst islands are refilled from the global elites). Needs a task
with ``PROBLEM`` and an evaluator that returns text ``feedback``. Model calls per child: 2 (critic,
author), or 1 for a fresh sample (``critic=false``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.archives import Islands
from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.selection import boltzmann, ranked
from evoforge.core.task import Task
from evoforge.genomes.prompts.solutions import problem_of, say, say_call


@register("mind-evolution")
@dataclass(kw_only=True)
class MindEvolution(Recipe):
    summary = "islands of text solutions, Boltzmann tournament, critic/author refinement, migration, reset"
    genomes = ("solution",)
    needs_model = True
    dedupe = False

    islands: int = param(4, low=1, help="number of islands")
    island_size: int = param(5, low=1, help="solutions kept per island")
    batch_size: int = param(4, low=1, help="children per batch: one per island")
    parents: int = param(2, low=1, help="parents shown to the author")
    boltzmann_temperature: float = param(0.1, low=0, low_open=True, help="of the Boltzmann parent tournament")
    migrate_every: int = param(3, low=0, help="batches between ring migrations (0: never)")
    reset_every: int = param(6, low=0, help="batches between island resets (0: never)")
    reset_islands: int = param(1, low=0, help="how many of the worst islands a reset refills")
    critic: bool = param(True, help="critic turn before the author turn")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")
    max_tokens: int = param(48, low=1, help="cap on every answer")

    problem: str = state("")  # the task's PROBLEM statement
    pool: Islands | None = state()
    batches: int = state(0)
    resets: int = state(0)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.problem = problem_of(task)
        self.pool = Islands(self.islands, self.island_size, interval=self.migrate_every, migrants=1)
        self.batches = 0
        self.resets = 0

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        out = []
        for k in range(n):
            island = (self.batches * n + k) % self.islands
            pop = [c for c in self.pool.populations[island] if c.ok]
            if len(pop) < 2:  # fill the island with fresh samples first
                text, call = say_call(
                    self.model, self.problem, rng, "sample", temperature=self.temperature, max_tokens=self.max_tokens
                )
                out.append(Candidate(genome=text, operator="sample", info={"island": island}, call=call))
                continue
            parents = boltzmann(pop, self.parents, rng, self.boltzmann_temperature)
            shown = "\n\n".join(f"Proposal {i + 1}: {p.genome}\nChecker: {p.feedback}" for i, p in enumerate(parents))
            critique = ""
            if self.critic:
                critique = say(
                    self.model,
                    f"{self.problem}\n\n{shown}\n\nYou are a critic. In one or two sentences, "
                    f"say what is wrong with these proposals and which times are still free.",
                    rng,
                    "critic",
                    temperature=self.temperature,
                    max_tokens=self.max_tokens,
                )
            text, call = say_call(
                self.model,
                f"{self.problem}\n\n{shown}\n\n"
                + (f"Critic: {critique}\n\n" if critique else "")
                + "You are the author. Write a better solution that fixes every problem the checker found. "
                "Answer with the solution only.",
                rng,
                "author",
                temperature=self.temperature,
                max_tokens=self.max_tokens,
            )
            out.append(
                Candidate(
                    genome=text,
                    parents=[p.id for p in parents],
                    operator="refine",
                    info={"island": island, "critique": critique[:300]},
                    call=call,
                )
            )
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status != "rejected":
                self.pool.add(cand, int(cand.info.get("island", 0)))
        self.batches += 1
        self.pool.tick()
        if self.reset_every and self.batches % self.reset_every == 0 and self.islands > 1:
            self._reset()

    def _reset(self) -> None:
        """Refill the worst islands with copies of the best solutions from all islands."""
        elites = ranked([c for pop in self.pool.populations for c in pop if c.ok])[: self.island_size]
        for i in self.pool.weakest()[: self.reset_islands]:
            self.pool.refill(i, elites)
        self.resets += 1

    def archive(self) -> Islands:
        return self.pool
