"""``language-games``: multi-agent games with role fluidity, reward variety and rule plasticity (after
"Language Games as the Pathway to Artificial Superhuman Intelligence", Wen et al., 2025), kept small: a
referential game in which players swap speaker and listener from game to game, and each round draws
a new rule on clues and a new reward scheme. After each round every player rewrites its own notes
(one model call, from the round's games and outcomes); the notes are all a player carries to the
next round. ``learn=false`` is the control arm: no notes, no note calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import param, register, state
from evoforge.genomes.games import language_game as lg

from ._base import SocialRecipe

NOTES = (
    "You play a guessing game with other players; roles and rules change between rounds.\n"
    "Your notes so far: {notes}\nThis round (rule: {rule}; reward: {reward}) you played:\n{games}\n"
    "Write your updated notes: at most two short lessons for future rounds, one line.\nNotes:"
)


@register("language-games")
@dataclass(kw_only=True)
class LanguageGames(SocialRecipe):
    summary = "a referential game with swapping roles, changing rules and reward schemes; players keep notes"
    game = "language"

    batch_size: int = param(1, low=1, high=1, help="one candidate per round (all its games)")
    players: int = param(2, low=2, help="players; game j: speaker j mod players, listener the next")
    games: int = param(6, low=1, help="games per round")
    objects: int = param(3, low=2, high=4, help="objects per game")
    world: int = param(0, low=0, help="seed of the rounds' rules, reward schemes and games")
    learn: bool = param(True, help="players rewrite their notes after each round; false: the control arm")
    temperature: float = param(0.7, low=0, help="sampling temperature")

    notes: list[str] = state(factory=list)
    round: int = state(0)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.notes:
            self.notes = [""] * self.players
        if self.learn and self.history and not self.history[-1].get("noted"):
            self._rewrite_notes(self.history[-1], rng)
        rule, reward = lg.rule_of(self.round, self.world)
        played = []
        for j in range(self.games):
            seed = self.world * 100_003 + self.round * 1000 + j
            objs, target, order = lg.objects(seed, self.objects)
            sp, ls = j % self.players, (j + 1) % self.players
            clue = self.say(lg.speaker_prompt(objs, target, rule, self.notes[sp]), seed=seed, tag="speak",
                            temperature=self.temperature, max_tokens=16)  # fmt: skip
            guess = ""
            if not lg.check_clue(clue, rule):
                guess = self.say(lg.listener_prompt(objs, order, clue, self.notes[ls]), seed=seed + 1, tag="listen",
                                 temperature=self.temperature, max_tokens=8)  # fmt: skip
            played.append({"seed": seed, "speaker": sp, "listener": ls, "clue": clue, "guess": guess})
        genome = {"game": self.game, "round": self.round, "rule": rule, "reward": reward, "players": self.players,
                  "objects": self.objects, "games": played}  # fmt: skip
        return [Candidate(genome=genome, operator=f"round-{rule}-{reward}")]

    def _rewrite_notes(self, last: dict[str, Any], rng: np.random.Generator) -> None:
        for p in range(self.players):
            mine = [g for g in last["outcomes"] if p in (g["speaker"], g["listener"])]
            games = "\n".join(
                f"- as {'speaker' if g['speaker'] == p else 'listener'}: target {g['target']!r}, clue {g['clue']!r}: "
                f"{g['result']}"
                for g in mine[:6]
            )
            text = self.say(NOTES.format(notes=self.notes[p] or "(none)", rule=last["rule"], reward=last["reward"],
                                         games=games), seed=int(rng.integers(2**31)), tag="notes",
                            temperature=self.temperature, max_tokens=60)  # fmt: skip
            if len(text.split()) >= 2:
                self.notes[p] = text[:200]
        last["noted"] = True

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            m = cand.metrics
            self.history.append({"round": self.round, "rule": cand.genome["rule"], "reward": cand.genome["reward"],
                                 "score": cand.score, "accuracy": m.get("accuracy", 0.0),
                                 "broken": m.get("broken", 0), "invalid": m.get("invalid", 0),
                                 "outcomes": m.get("outcomes", [])})  # fmt: skip
        self.round += 1

    def report(self, store: Any) -> str | None:
        arm = "players keep notes" if self.learn else "control arm (no notes)"
        lines = [f"language-games ({self.players} players, {arm}): round, rule, reward, mean reward, "
                 "listener accuracy, clues breaking the rule, guesses naming nothing"]  # fmt: skip
        lines += [f"  {r['round']:>3}  {r['rule']:<9} {r['reward']:<10} {float(r['score'] or 0):5.2f}  "
                  f"{r['accuracy']:.2f}  {r['broken']:>2}  {r['invalid']:>2}" for r in self.history[-20:]]  # fmt: skip
        lines += [f"  notes of player {p}: {t!r}" for p, t in enumerate(self.notes)]
        return "\n".join(lines)

    def answer(self, store: Any) -> dict[str, Any] | None:
        if not self.history:
            return None
        r = self.history[-1]
        return {"what": "the players' notes after the last round", "genome": {"notes": self.notes},
                "score": r["score"],
                "score_on": f"round {r['round']} (rule {r['rule']}, reward {r['reward']})"}  # fmt: skip
