"""The multi-agent norm environment for the ``evolutionary-agent`` recipe: a genome is one generation's
record (the agents' traits and replies); ``evaluate`` parses the replies and judges every agent
against that generation's norms. Score: the population's mean fitness."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from evoforge.genomes.games import norms
from evoforge.genomes.games.task import GameTask


@dataclass(kw_only=True)
class Norms(GameTask):
    description: str = "a society's dilemmas judged by drifting social norms (recipe evolutionary-agent)"
    game = "norms"

    def initial(self) -> dict[str, Any]:
        return {"game": self.game, "generation": 0, "agents": []}

    def evaluate(self, genome: Any) -> dict:
        if not isinstance(genome, dict) or not isinstance(genome.get("agents"), list):
            raise ValueError("a norms genome is a dict with a list of agents")
        g, world = int(genome.get("generation", 0)), int(genome.get("world", 0))
        scenario = norms.scenario_at(g, world)
        weights = norms.norms_at(g, world, int(genome.get("drift_every", 4)))
        parsed = [
            norms.parse_choice(a.get("reply") if isinstance(a, dict) else None, scenario) for a in genome["agents"]
        ]
        choices = [c for c, _ in parsed]
        fitness = norms.judge(scenario, weights, choices)
        approval = {k: sum(weights.get(t, 0.0) for t in v[1]) for k, v in scenario["options"].items()}
        metrics = {
            "fitness": fitness,
            "invalid": sum(c is None for c in choices),
            "reasons": [why for _, why in parsed if why][:5],
            "choices": dict(sorted(Counter(c or "invalid" for c in choices).items())),
            "approved": scenario["options"][max(approval, key=approval.get)][0],
            "norms": weights,
        }
        return {"score": float(sum(fitness) / len(fitness)) if fitness else 0.0, "metrics": metrics}


TASK = Norms()
