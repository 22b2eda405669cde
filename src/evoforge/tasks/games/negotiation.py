"""The negotiation game (Deal-or-No-Deal style) for the ``self-play`` recipe: a genome is a record of
played games (seed, who the policy was, the move texts); ``evaluate`` replays and scores them again.
Score: the policy's mean reward in the games against the fixed opponent (else in every game)."""

from dataclasses import dataclass
from typing import Any

from evoforge.genomes.games import negotiation as ng
from evoforge.genomes.games.task import GameTask


@dataclass(kw_only=True)
class Negotiation(GameTask):
    description: str = "negotiation game: split a pool of items with private values (recipe self-play)"
    game = "negotiation"

    def initial(self) -> dict[str, Any]:
        return {"game": self.game, "games": []}

    def evaluate(self, genome: Any) -> dict:
        records = genome.get("games") if isinstance(genome, dict) else None
        if not isinstance(records, list):
            raise ValueError("a negotiation genome is a dict with a list of played games")
        metrics: dict[str, Any] = {"games": len(records)}
        rewards: dict[str, list[int]] = {}
        for setting in sorted({str(r.get("setting", "")) for r in records if isinstance(r, dict)}):
            played = [(_replay(r), int(r.get("policy", 0)) % 2) for r in records if r.get("setting") == setting]
            sums = [ng.summary([o], p) for o, p in played]
            for key in ("own", "other", "joint", "agreed", "invalid"):
                metrics[f"{setting}_{key}"] = round(sum(s[key] for s in sums) / len(sums), 4)
            rewards[setting] = [o.reward(p) for o, p in played]
        pick = rewards.get("fixed") or [x for v in rewards.values() for x in v]
        return {"score": float(sum(pick) / len(pick)) if pick else 0.0, "metrics": metrics}


def _replay(record: dict[str, Any]) -> ng.Outcome:
    game = ng.new_game(int(record["seed"]), str(record.get("variant", "semi-competitive")),
                       int(record.get("max_turns", 6)))  # fmt: skip
    return ng.replay(game, [str(t) for t in record.get("texts", [])], first=0)


TASK = Negotiation()
