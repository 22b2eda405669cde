"""A negotiation game in the Deal-or-No-Deal style: two players split a pool of items.

Each player has private values for the items (whole numbers; the pool is worth :data:`TOTAL` to each
player). Players alternate moves in text: ``PROPOSE books=a hats=b balls=c`` (what the mover keeps,
the other player gets the rest), ``ACCEPT`` (the proposal on the table) or ``WALK`` (no deal). An
accepted proposal scores each player the value of their share; a walk-away, or no agreement within
``max_turns`` moves, scores 0 for both. The variant says what a player is rewarded for:
``cooperative`` (the joint score) or ``semi-competitive`` (its own score).

A game is a pure function of its seed; moves are parsed tolerantly (``I'll take 2 books and the
hat``), and a reply that is no move is an invalid move with a reason: the mover loses the turn, the
game goes on. :func:`replay` scores any list of texts again, so recorded games can be re-checked.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

ITEMS = ("books", "hats", "balls")
TOTAL = 10  # the pool's worth to each player
VARIANTS = ("cooperative", "semi-competitive")
MAX_TEXT = 300  # characters of a move kept in a record


@dataclass(frozen=True, kw_only=True)
class Game:
    seed: int
    counts: tuple[int, ...]
    values: tuple[tuple[int, ...], tuple[int, ...]]
    variant: str = "semi-competitive"
    max_turns: int = 6


@dataclass(frozen=True)
class Move:
    kind: str  # propose | accept | walk | invalid
    take: tuple[int, ...] = ()
    reason: str = ""


@dataclass(kw_only=True)
class Outcome:
    game: Game
    turns: list[dict[str, Any]] = field(default_factory=list)  # {"player", "text", "move", "reason"?}
    agreed: bool = False
    scores: tuple[int, int] = (0, 0)

    @property
    def joint(self) -> int:
        return sum(self.scores)

    def reward(self, player: int) -> int:
        """What ``player`` is rewarded for under the game's variant."""
        return self.joint if self.game.variant == "cooperative" else self.scores[player]

    def invalid(self, player: int | None = None) -> int:
        return sum(t["move"] == "invalid" and player in (None, t["player"]) for t in self.turns)


def new_game(seed: int, variant: str = "semi-competitive", max_turns: int = 6) -> Game:
    """The game of ``seed``: 5-7 items of 3 kinds, each player's values summing to TOTAL over the pool,
    every item kind worth something to at least one player."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    rng = random.Random(seed)
    while True:
        counts = tuple(rng.randint(1, 4) for _ in ITEMS)
        if not 5 <= sum(counts) <= 7:
            continue
        values = tuple(_values(rng, counts) for _ in range(2))
        if all(values) and all(a or b for a, b in zip(*values)):
            return Game(seed=seed, counts=counts, values=values, variant=variant, max_turns=max_turns)  # type: ignore[arg-type]


def _values(rng: random.Random, counts: tuple[int, ...]) -> tuple[int, ...] | None:
    for _ in range(200):
        v = tuple(rng.randint(0, TOTAL) for _ in counts)
        if sum(c * x for c, x in zip(counts, v)) == TOTAL:
            return v
    return None


def parse_move(text: Any, game: Game) -> Move:
    """A player's reply as a move; anything else is ``Move("invalid", reason=...)``, never an error."""
    if not isinstance(text, str) or not text.strip():
        return Move("invalid", reason="empty reply")
    low = text.lower()[:MAX_TEXT]
    found: dict[str, int] = {}
    for item in ITEMS:
        stem = item[:-1]
        m = re.search(rf"\b{stem}s?\s*[=:]\s*(\d+)", low) or re.search(rf"\b(\d+|an?|one|no)\s+{stem}s?\b", low)
        if m:
            word = m.group(1)
            found[item] = {"a": 1, "an": 1, "one": 1, "no": 0}.get(word) if not word.isdigit() else int(word)
        elif re.search(rf"\bthe {stem}s?\b|\ball (the )?{stem}s\b", low):
            found[item] = game.counts[ITEMS.index(item)]
    if re.search(r"\b(walk|no deal)\b", low) and not found:
        return Move("walk")
    if re.search(r"\b(accept|agree|deal)\b", low) and not found:
        return Move("accept")
    if not found:
        return Move("invalid", reason=f"no PROPOSE/ACCEPT/WALK in {text.strip()[:60]!r}")
    take = tuple(int(found.get(item) or 0) for item in ITEMS)
    over = [f"{t} {i} (pool has {c})" for t, i, c in zip(take, ITEMS, game.counts) if t > c]
    if over:
        return Move("invalid", reason="proposes more than the pool: " + ", ".join(over))
    return Move("propose", take=take)


def score_deal(game: Game, proposer: int, take: Sequence[int]) -> tuple[int, int]:
    """Both players' scores when ``proposer``'s proposal (what it keeps) is accepted."""
    rest = [c - t for c, t in zip(game.counts, take)]
    shares = (take, rest) if proposer == 0 else (rest, take)
    return tuple(sum(v * s for v, s in zip(game.values[p], shares[p])) for p in (0, 1))  # type: ignore[return-value]


def describe(take: Sequence[int]) -> str:
    return "PROPOSE " + " ".join(f"{i}={t}" for i, t in zip(ITEMS, take))


def prompt(game: Game, player: int, turns: Sequence[dict[str, Any]]) -> str:
    """What ``player`` sees before its move: the pool, its own values only, the dialogue so far."""
    goal = "the total points of both players" if game.variant == "cooperative" else "your own points"
    lines = [
        "Deal or no deal: split these items with the other player.",
        "Items: " + ", ".join(f"{c} {i}" for c, i in zip(game.counts, ITEMS)) + ".",
        "Your values: " + ", ".join(f"{i[:-1]}={v}" for i, v in zip(ITEMS, game.values[player])) + ".",
        f"Goal: maximise {goal}. No deal scores 0 for both.",
        "Moves: PROPOSE books=a hats=b balls=c (what you keep) | ACCEPT | WALK",
        "Dialogue:",
    ]
    lines += [f"{'You' if t['player'] == player else 'Them'}: {t['text']}" for t in turns] or ["(none yet)"]
    return "\n".join(lines) + f"\nTurn {len(turns) + 1} of {game.max_turns}. Your move:"


def play(game: Game, movers: Sequence[Callable[[str, int], str]], first: int = 0) -> Outcome:
    """Play ``game``: ``movers[p](prompt, turn)`` gives player ``p``'s reply text."""
    out = Outcome(game=game)
    for turn in range(game.max_turns):
        player = (first + turn) % 2
        text = " ".join(str(movers[player](prompt(game, player, out.turns), turn)).split())[:MAX_TEXT]
        if _step(out, player, text):
            break
    return out


def replay(game: Game, texts: Sequence[Any], first: int = 0) -> Outcome:
    """Score recorded move texts again (extra texts after the end are ignored)."""
    texts = list(texts)[: game.max_turns]
    return play(game, [lambda _p, t: texts[t] if t < len(texts) else ""] * 2, first)


def _step(out: Outcome, player: int, text: str) -> bool:
    """Apply one move; True when the game is over."""
    game, move = out.game, parse_move(text, out.game)
    table = next((t for t in reversed(out.turns) if t["move"] == "propose"), None)
    if move.kind == "accept" and (table is None or table["player"] == player):
        move = Move("invalid", reason="ACCEPT with no proposal of the other player on the table")
    row: dict[str, Any] = {"player": player, "text": text, "move": move.kind}
    if move.kind == "invalid":
        row["reason"] = move.reason
    if move.kind == "propose":
        row["take"] = list(move.take)
    out.turns.append(row)
    if move.kind == "accept":
        out.agreed, out.scores = True, score_deal(game, table["player"], table["take"])  # type: ignore[index]
    return move.kind in ("accept", "walk")


def scripted_mover(game: Game, player: int) -> Callable[[str, int], str]:
    """A scripted negotiator (for warm-start data: dialogues that reach deals). It accepts the other
    player's proposal when its own share is worth at least its current demand, else proposes to keep
    the items it values most, up to that demand; the demand starts at 7 of :data:`TOTAL` points and
    falls by one a turn, so two scripted players agree within a few moves."""
    order = sorted(range(len(ITEMS)), key=lambda i: -game.values[player][i])

    def move(text: str, turn: int) -> str:
        demand = max(1, 7 - turn // 2)
        last = [line[len("Them: ") :] for line in text.splitlines() if line.startswith("Them: ")]
        offer = parse_move(last[-1], game) if last else None
        if offer is not None and offer.kind == "propose":
            mine = [c - t for c, t in zip(game.counts, offer.take)]
            if sum(v * k for v, k in zip(game.values[player], mine)) >= demand:
                return "ACCEPT"
        take, worth = [0] * len(ITEMS), 0
        for i in order:
            while worth < demand and take[i] < game.counts[i] and game.values[player][i] > 0:
                take[i] += 1
                worth += game.values[player][i]
        return describe(take)

    return move


def summary(outcomes: Sequence[Outcome], player: int = 0) -> dict[str, float]:
    """Means over games: ``player``'s score, the other's, joint, agreement and invalid-move rates."""
    n = max(1, len(outcomes))
    moves = max(1, sum(len(o.turns) for o in outcomes))
    return {
        "own": sum(o.scores[player] for o in outcomes) / n,
        "other": sum(o.scores[1 - player] for o in outcomes) / n,
        "joint": sum(o.joint for o in outcomes) / n,
        "agreed": sum(o.agreed for o in outcomes) / n,
        "invalid": sum(o.invalid() for o in outcomes) / moves,
    }
