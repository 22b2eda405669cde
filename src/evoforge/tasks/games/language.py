"""The referential language game for the ``language-games`` recipe: a genome is one round's record
(rule, reward scheme, each game's seed, roles, clue and guess); ``evaluate`` checks every clue
against the rule, parses every guess and pays the round's rewards. Score: mean reward per player and game."""

from dataclasses import dataclass
from typing import Any

from evoforge.genomes.games import language_game as lg
from evoforge.genomes.games.task import GameTask


@dataclass(kw_only=True)
class LanguageGame(GameTask):
    description: str = "a referential game with swapping roles, changing rules and rewards (recipe language-games)"
    game = "language"

    def initial(self) -> dict[str, Any]:
        return {"game": self.game, "rule": "free", "reward": "shared", "games": []}

    def evaluate(self, genome: Any) -> dict:
        games = genome.get("games") if isinstance(genome, dict) else None
        rule, scheme = genome.get("rule"), genome.get("reward") if isinstance(genome, dict) else None
        if not isinstance(games, list) or rule not in lg.RULES or scheme not in lg.REWARDS:
            raise ValueError("a language genome is a dict with a known rule, reward scheme and a list of games")
        outcomes, total, right_n = [], 0.0, 0
        for g in games:
            objs, target, order = lg.objects(int(g["seed"]), int(genome.get("objects", 3)))
            broken = lg.check_clue(g.get("clue"), rule)
            guess, why = (None, "") if broken else lg.parse_guess(g.get("guess"), objs, order)
            right = guess == target
            s, r = lg.rewards(scheme, right, not broken, len(str(g.get("clue", "")).split()) == 1)
            total += s + r
            right_n += right
            result = ("clue broke the rule: " + broken if broken else "invalid guess: " + why if guess is None
                      else "right" if right else f"wrong (listener picked {objs[guess]!r})")  # fmt: skip
            outcomes.append({"speaker": g.get("speaker"), "listener": g.get("listener"), "target": objs[target],
                             "clue": str(g.get("clue", ""))[:80], "result": result, "rewards": [s, r]})  # fmt: skip
        n = max(1, len(games))
        metrics = {
            "accuracy": right_n / n,
            "broken": sum(o["result"].startswith("clue broke") for o in outcomes),
            "invalid": sum(o["result"].startswith("invalid") for o in outcomes),
            "outcomes": outcomes,
        }
        return {"score": total / (2 * n), "metrics": metrics}


TASK = LanguageGame()
