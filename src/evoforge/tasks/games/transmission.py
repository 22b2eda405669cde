"""The transmission-chain game for the ``cultural-evolution`` recipe: a genome is one generation's
retellings (story index and text); ``evaluate`` measures the share of each original story's key facts
still present. Score: the mean retention."""

from dataclasses import dataclass
from typing import Any

from evoforge.genomes.games import transmission as tx
from evoforge.genomes.games.task import GameTask


@dataclass(kw_only=True)
class Transmission(GameTask):
    description: str = "stories retold along chains or a network; retention of key facts (recipe cultural-evolution)"
    game = "transmission"

    def initial(self) -> dict[str, Any]:
        return {
            "game": self.game,
            "generation": 0,
            "texts": [{"story": i, "text": s["text"]} for i, s in enumerate(tx.STORIES)],
        }

    def evaluate(self, genome: Any) -> dict:
        texts = genome.get("texts") if isinstance(genome, dict) else None
        if not isinstance(texts, list) or not texts:
            raise ValueError("a transmission genome is a dict with a non-empty list of texts")
        stories = [tx.STORIES[int(t["story"]) % len(tx.STORIES)] for t in texts]
        bodies = [tx.clean(t.get("text")) for t in texts]
        kept = [tx.retention(b, s) for b, s in zip(bodies, stories)]
        lost = sorted(
            {f[0] for b, s in zip(bodies, stories) for f in s["facts"] if tx.retention(b, {"facts": [f]}) == 0}
            - {f[0] for b, s in zip(bodies, stories) for f in s["facts"] if tx.retention(b, {"facts": [f]}) > 0}
        )
        metrics = {"retention": [round(k, 3) for k in kept], "words": sum(len(b.split()) for b in bodies) / len(bodies),
                   "lost": lost, "empty": sum(not b for b in bodies)}  # fmt: skip
        return {"score": sum(kept) / len(kept), "metrics": metrics}


TASK = Transmission()
