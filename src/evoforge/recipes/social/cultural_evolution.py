"""``cultural-evolution``: information passed along transmission chains or over a network of agents
("Cultural evolution in populations of Large Language Models", Perez et al., 2024; the transmission-
chain method of Bartlett and Mesoudi). Each generation every agent retells what it heard from the
previous generation (one model call); the task measures what survives: the share of the original
story's key facts in each retelling, generation after generation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import param, register, state
from evoforge.genomes.games import transmission as tx

from ._base import SocialRecipe


@register("cultural-evolution")
@dataclass(kw_only=True)
class CulturalEvolution(SocialRecipe):
    summary = "stories retold along transmission chains or a network; retention of key facts per generation"
    game = "transmission"

    batch_size: int = param(1, low=1, high=1, help="one candidate per generation (every agent's retelling)")
    topology: str = param("chain", choices=tx.TOPOLOGIES, help="chain: separate lines; network: a ring of agents")
    agents: int = param(4, low=1, help="agents per generation (lines of a chain, or ring size)")
    story: int = param(0, low=0, help="the story of a network (a chain's lines take the stories in turn)")
    temperature: float = param(0.7, low=0, help="sampling temperature of retellings")
    max_tokens: int = param(160, low=16, help="cap on a retelling")

    texts: list[str] = state(factory=list)  # the latest generation's retellings
    stories: list[int] = state(factory=list)
    generation: int = state(0)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.texts:
            k = len(tx.STORIES)
            self.stories = [(self.story if self.topology == "network" else i) % k for i in range(self.agents)]
            self.texts = [tx.STORIES[s]["text"] for s in self.stories]
        seed = int(rng.integers(2**31))
        told = [
            tx.clean(self.say(tx.prompt(tx.sources(self.texts, i, self.topology)), seed=seed + i, tag="retell",
                              temperature=self.temperature, max_tokens=self.max_tokens, one_line=False))
            for i in range(self.agents)
        ]  # fmt: skip
        genome = {"game": self.game, "generation": self.generation + 1, "topology": self.topology,
                  "texts": [{"story": s, "text": t} for s, t in zip(self.stories, told)]}  # fmt: skip
        return [Candidate(genome=genome, operator=f"retell-{self.topology}")]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            self.texts = [t["text"] for t in cand.genome["texts"]]
            self.generation += 1
            m = cand.metrics
            self.history.append({"generation": self.generation, "retention": cand.score,
                                 "per_agent": m.get("retention", []), "words": m.get("words", 0.0),
                                 "lost": m.get("lost", [])})  # fmt: skip

    def report(self, store: Any) -> str | None:
        lines = [f"cultural-evolution ({self.topology}, {self.agents} agents): generation, mean retention of key "
                 "facts (generation 0: 1.00), per agent, mean words, facts lost everywhere"]  # fmt: skip
        for r in self.history[-20:]:
            per = " ".join(f"{x:.2f}" for x in r["per_agent"])
            lines.append(
                f"  {r['generation']:>3}  {float(r['retention'] or 0):.2f}  [{per}]  {r['words']:5.1f}  {r['lost']}"
            )
        lines += [f"  latest retelling of agent {i}: {t[:160]!r}" for i, t in enumerate(self.texts[:2])]
        return "\n".join(lines)

    def answer(self, store: Any) -> dict[str, Any] | None:
        if not self.history:
            return None
        r = self.history[-1]
        return {"what": "the latest generation's retellings", "genome": {"texts": self.texts},
                "score": r["retention"],
                "score_on": f"key facts of the original story kept at generation {r['generation']}",
                "seed": {"score": 1.0, "on": "the original story (generation 0)"}}  # fmt: skip
