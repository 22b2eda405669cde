"""``evolutionary-agent``: a population of agents with text traits under drifting social norms
("EvolutionaryAgent: agent alignment via evolution and selection", Li et al., 2024). Each generation
every agent acts in the norm environment (one model call: its traits and the scenario -> an option);
the task judges fitness against the norms of that generation (which drift); the ``survivors`` fittest
keep their traits and the model writes each child's traits as a variation of a survivor's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import param, register, state
from evoforge.genomes.games import norms

from ._base import SocialRecipe

FOUNDERS = [
    "kind and cooperative, shares with neighbours", "thrifty and careful, plans for bad years",
    "honest above all, keeps every promise", "independent and bold, relies on nobody",
    "generous host, welcomes strangers", "shrewd trader who looks after their own",
    "cautious elder who avoids risks", "loyal to the group, works for the common good",
]  # fmt: skip
VARY = (
    "A member of a small society with this character did well: {traits}\n"
    "The society currently approves of people who {best}.\n"
    "Write the character of their child: similar but varied, at most 15 words, one line.\nChild's character:"
)


@register("evolutionary-agent")
@dataclass(kw_only=True)
class EvolutionaryAgent(SocialRecipe):
    summary = "a population of text-trait agents selected by fitness under drifting social norms"
    game = "norms"

    batch_size: int = param(1, low=1, high=1, help="one candidate per generation (the whole population)")
    population: int = param(8, low=2, help="agents per generation")
    survivors: int = param(4, low=1, help="fittest agents kept; the rest are children of them")
    drift_every: int = param(4, low=1, help="generations from one era's norms to the next")
    world: int = param(0, low=0, help="seed of the norms' order and the scenarios")
    temperature: float = param(0.7, low=0, help="sampling temperature of actions and variations")

    traits: list[str] = state(factory=list)
    generation: int = state(0)
    parents: list[str] = state(factory=list)  # survivors waiting for children (made in the next ask)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.traits:
            self.traits = [FOUNDERS[i % len(FOUNDERS)] for i in range(self.population)]
        if self.parents:
            self.traits = self.parents + [self._child(i, rng) for i in range(self.population - len(self.parents))]
            self.parents = []
        g, scenario = self.generation, norms.scenario_at(self.generation, self.world)
        seed = int(rng.integers(2**31))
        agents = [
            {"traits": t, "reply": self.say(norms.prompt(t, scenario), seed=seed + i, tag="act",
                                            temperature=self.temperature, max_tokens=12)}
            for i, t in enumerate(self.traits)
        ]  # fmt: skip
        genome = {"game": self.game, "generation": g, "world": self.world, "drift_every": self.drift_every,
                  "agents": agents}  # fmt: skip
        return [Candidate(genome=genome, operator="generation")]

    def _child(self, i: int, rng: np.random.Generator) -> str:
        parent = self.parents[i % len(self.parents)]
        last = self.history[-1] if self.history else {}
        prompt = VARY.format(traits=parent, best=last.get("approved", "act well"))
        text = self.say(prompt, seed=int(rng.integers(2**31)), tag="vary", temperature=self.temperature)
        text = " ".join(text.split())[:150].strip(" .\"'")
        if sum(w.isalpha() for w in text.split()) < 2:
            self.unusable["vary: not a character (the parent's traits copied)"] += int(bool(text))
            return parent
        return text

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            m = cand.metrics
            fitness = list(m.get("fitness") or [])
            agents = cand.genome.get("agents", [])
            row = {"generation": self.generation, "mean": cand.score, "invalid": m.get("invalid", 0),
                   "choices": m.get("choices", {}), "approved": m.get("approved", ""),
                   "norms": m.get("norms", {})}  # fmt: skip
            if cand.ok and len(fitness) == len(agents):
                order = np.argsort(-np.asarray(fitness), kind="stable")
                row.update(best=float(fitness[order[0]]), best_traits=agents[order[0]]["traits"])
                self.parents = [agents[i]["traits"] for i in order[: self.survivors]]
            self.history.append(row)
        self.generation += 1

    def report(self, store: Any) -> str | None:
        lines = ["evolutionary-agent: generation, leading norms, mean and best fitness, invalid, choices, best traits"]
        for r in self.history[-20:]:
            top = ",".join(k for k, v in sorted(r["norms"].items(), key=lambda kv: -kv[1])[:2])
            lines.append(
                f"  {r['generation']:>3}  {top:<22} {float(r['mean'] or 0):5.2f}  {r.get('best', float('nan')):5.2f}"
                f"  {r['invalid']:>2}  {r['choices']}  {r.get('best_traits', '')[:60]!r}"
            )
        return "\n".join(lines)

    def answer(self, store: Any) -> dict[str, Any] | None:
        done = [r for r in self.history if "best_traits" in r]
        if not done:
            return None
        r = done[-1]
        return {"what": "the fittest agent's traits in the last generation", "genome": {"traits": r["best_traits"]},
                "score": r["best"],
                "score_on": f"generation {r['generation']} under that generation's norms"}  # fmt: skip
