"""The transmission-chain game for the ``cultural-evolution`` recipe: a genome is one generation's
retellings (story index and text); ``evaluate`` measures the share of each original story's key facts
still present. Score: the mean retention."""

from typing import Any

from evoforge.genomes.games import transmission as tx

DESCRIPTION = "stories retold along chains or a network; retention of key facts (recipe cultural-evolution)"
GENOME = "game"
GAME = "transmission"
SEED: dict[str, Any] = {"game": GAME, "generation": 0,
                        "texts": [{"story": i, "text": s["text"]} for i, s in enumerate(tx.STORIES)]}  # fmt: skip


def evaluate(genome: Any) -> dict:
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
