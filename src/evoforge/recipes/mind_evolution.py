"""Mind Evolution, from "Evolving Deeper LLM Thinking" (Lee et al., 2025): a genetic search in natural
language over whole solutions. Islands of candidate solutions; parents picked by a Boltzmann tournament;
children written by a "refinement through critical conversation" (a critic reads the parents and the
checker's feedback, an author writes the improved solution); ring migration of the best every few
generations, and island reset (the worst islands are refilled from the global elites). Needs a task
with ``PROBLEM`` and an evaluator that returns text ``feedback``. Model calls per child: 2 (critic,
author), or 1 for a fresh sample (``critic=false``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..archives import Islands
from ..candidate import Candidate
from ..recipe import Recipe, register
from ..selection import boltzmann, ranked
from ..task import Task
from ._solutions import problem_of, say


@register("mind-evolution")
@dataclass
class MindEvolution(Recipe):
    summary = "islands of text solutions, Boltzmann tournament, critic/author refinement, migration, reset"
    needs_model = True
    dedupe = False

    islands: int = 4             # number of islands
    island_size: int = 5         # solutions kept per island
    batch_size: int = 4          # children per batch: one per island
    parents: int = 2             # parents shown to the author
    boltzmann_temperature: float = 0.1
    migrate_every: int = 3       # batches between ring migrations (0: never)
    reset_every: int = 6         # batches between island resets (0: never)
    reset_islands: int = 1       # how many of the worst islands a reset refills
    critic: bool = True          # critic turn before the author turn
    temperature: float = 0.8
    max_tokens: int = 48
    pool: Islands = field(init=False, repr=False)

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
                text = say(self.model, self.problem, rng, "sample", temperature=self.temperature,
                           max_tokens=self.max_tokens)
                out.append(Candidate(genome=text, operator="sample", info={"island": island}))
                continue
            parents = boltzmann(pop, self.parents, rng, self.boltzmann_temperature)
            shown = "\n\n".join(f"Proposal {i + 1}: {p.genome}\nChecker: {p.feedback}" for i, p in enumerate(parents))
            critique = ""
            if self.critic:
                critique = say(self.model, f"{self.problem}\n\n{shown}\n\nYou are a critic. In one or two sentences, "
                               f"say what is wrong with these proposals and which times are still free.",
                               rng, "critic", temperature=self.temperature, max_tokens=self.max_tokens)
            text = say(self.model, f"{self.problem}\n\n{shown}\n\n" + (f"Critic: {critique}\n\n" if critique else "")
                       + "You are the author. Write a better solution that fixes every problem the checker found. "
                       "Answer with the solution only.", rng, "author", temperature=self.temperature,
                       max_tokens=self.max_tokens)
            out.append(Candidate(genome=text, parents=[p.id for p in parents], operator="refine",
                                 info={"island": island, "critique": critique[:300]}))
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
