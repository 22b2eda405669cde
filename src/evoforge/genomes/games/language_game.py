"""A referential game with role fluidity, reward variety and rule plasticity.

A speaker sees a few objects (size, colour, shape) and a target and gives a clue; the listener sees the
same objects in another order and the clue and names one. Players swap speaker and listener from game
to game; each round has its own rule on clues (:data:`RULES`) and its own reward scheme
(:data:`REWARDS`), both drawn per round. A clue that breaks the round's rule, or a guess that names no
object, is invalid (with a reason) and earns nothing; games are pure functions of their seed.
"""

from __future__ import annotations

import random
import re
from typing import Any

COLOURS = ("red", "blue", "green", "yellow")
SHAPES = ("circle", "square", "triangle", "star")
SIZES = ("small", "big")
RULES = {
    "free": "any clue of at most four words",
    "one-word": "the clue is exactly one word",
    "no-colour": "the clue must not name a colour",
    "no-shape": "the clue must not name a shape",
}
REWARDS = {
    "shared": "both players score 1 when the listener is right",
    "brevity": "both score 1 when the listener is right, 0.5 more for a one-word clue",
    "asymmetric": "the listener scores 1 when right; the speaker 1 when right and -1 when wrong",
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "first": 1, "second": 2, "third": 3, "fourth": 4}


def objects(seed: int, k: int = 3) -> tuple[list[str], int, list[int]]:
    """(the objects, the target's index, the listener's order) of the game of ``seed``."""
    rng = random.Random(seed)
    every = [f"{s} {c} {h}" for s in SIZES for c in COLOURS for h in SHAPES]
    objs = rng.sample(every, k)
    order = list(range(k))
    rng.shuffle(order)
    return objs, rng.randrange(k), order


def rule_of(round_: int, world: int = 0) -> tuple[str, str]:
    """(rule, reward scheme) of a round: drawn per round, so they change between rounds."""
    rng = random.Random(world * 7919 + round_)
    return rng.choice(sorted(RULES)), rng.choice(sorted(REWARDS))


def check_clue(clue: Any, rule: str) -> str:
    """'' when ``clue`` obeys ``rule``, else the reason it does not."""
    words = re.findall(r"[a-z]+", str(clue or "").lower())
    if not words:
        return "empty clue"
    if re.search(r"\d", str(clue)) or set(words) & set(NUMBERS):
        return "a clue may not point by number"
    limit = 1 if rule == "one-word" else 4
    if len(words) > limit:
        return f"{len(words)} words (rule {rule}: at most {limit})"
    banned = (
        set(COLOURS)
        if rule == "no-colour"
        else {s for h in SHAPES for s in (h, h + "s")}
        if rule == "no-shape"
        else set()
    )
    if set(words) & banned:
        return f"names {sorted(set(words) & banned)[0]!r} (rule {rule})"
    return ""


def speaker_prompt(objs: list[str], target: int, rule: str, notes: str) -> str:
    listed = "\n".join(f"- {o}" for o in objs)
    return (f"Guessing game. You are the speaker. Objects:\n{listed}\nThe target is: {objs[target]}.\n"
            f"Rule this round: {RULES[rule]}; never point by number.\n" + (f"Your notes: {notes}\n" if notes else "")
            + "Give a clue so the listener picks the target.\nClue:")  # fmt: skip


def listener_prompt(objs: list[str], order: list[int], clue: str, notes: str) -> str:
    listed = "\n".join(f"{n + 1}) {objs[i]}" for n, i in enumerate(order))
    return (
        f"Guessing game. You are the listener. Objects:\n{listed}\nThe speaker's clue: {clue!r}\n"
        + (f"Your notes: {notes}\n" if notes else "")
        + "Which object is meant? Answer with its number.\nAnswer:"
    )


def parse_guess(text: Any, objs: list[str], order: list[int]) -> tuple[int | None, str]:
    """(the object index the listener named, '') or (None, why the reply names none)."""
    t = str(text or "").strip().lower()[:200]
    if not t:
        return None, "empty reply"
    m = re.search(r"\b([1-9])\b", t)
    n = int(m.group(1)) if m else next((v for w, v in NUMBERS.items() if re.search(rf"\b{w}\b", t)), None)
    if n is not None:
        return (order[n - 1], "") if 1 <= n <= len(order) else (None, f"no object {n}")
    named = [i for i, o in enumerate(objs) if o in t]
    return (named[0], "") if len(named) == 1 else (None, f"names no single object: {t[:50]!r}")


def rewards(scheme: str, right: bool, clue_ok: bool, one_word: bool) -> tuple[float, float]:
    """(speaker, listener) rewards of one game."""
    if not clue_ok:
        return (-1.0 if scheme == "asymmetric" else 0.0), 0.0
    if scheme == "asymmetric":
        return (1.0 if right else -1.0), float(right)
    bonus = 0.5 if scheme == "brevity" and one_word and right else 0.0
    return float(right) + bonus, float(right) + bonus
