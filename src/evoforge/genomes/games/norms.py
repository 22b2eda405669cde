"""A multi-agent norm environment: a population faces a shared social dilemma each generation.

Every agent (a line of text traits) picks one option of the generation's scenario. Its fitness is
what the group gives it (a public-goods payoff: contributing options feed a pool split equally by all,
keeping options pay privately) plus the approval of the society's current norms: a weight per tag of
the chosen option. The norms drift: the society moves from one era's values to the next over
``drift_every`` generations (a pure function of the generation and the seed), so traits that did
well early can do badly later. A reply that names no option is an invalid action with a reason and
gets the worst fitness on offer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

SCENARIOS: list[dict[str, Any]] = [
    {"text": "The village well needs repairs before the dry season.",
     "options": {"A": ("spend a day repairing the well with others", ["cooperative", "generous"], 1),
                 "B": ("dig a private well for your family", ["independent", "selfish"], 0),
                 "C": ("save water quietly and wait", ["frugal", "cautious"], 0)}},
    {"text": "A trader overpaid you by mistake.",
     "options": {"A": ("return the money at once", ["honest", "generous"], 1),
                 "B": ("keep it and invest it carefully", ["frugal", "selfish"], 0),
                 "C": ("keep it and say nothing", ["selfish"], 0)}},
    {"text": "The harvest was poor and the granary is half full.",
     "options": {"A": ("share your stores with the neediest", ["generous", "cooperative"], 1),
                 "B": ("ration your own stores strictly", ["frugal", "cautious"], 0),
                 "C": ("sell your surplus at a high price", ["selfish", "independent"], 0)}},
    {"text": "A stranger asks to join the hunting party.",
     "options": {"A": ("welcome them and teach them", ["generous", "cooperative"], 1),
                 "B": ("hunt alone this season", ["independent", "cautious"], 0),
                 "C": ("ask them to prove their honesty first", ["cautious", "honest"], 1)}},
]  # fmt: skip
ERAS: list[dict[str, float]] = [
    {"cooperative": 1.0, "generous": 1.0, "honest": 0.5, "selfish": -1.0},
    {"frugal": 1.0, "cautious": 1.0, "independent": 0.5, "generous": -0.5},
    {"honest": 1.0, "independent": 1.0, "cooperative": 0.5, "selfish": -1.0},
]


def norms_at(generation: int, seed: int = 0, drift_every: int = 4) -> dict[str, float]:
    """The society's tag weights at ``generation``: eras in a seeded order, blended linearly."""
    order = list(range(len(ERAS)))
    random.Random(seed).shuffle(order)
    pos = generation / max(1, drift_every)
    a, b = ERAS[order[int(pos) % len(order)]], ERAS[order[(int(pos) + 1) % len(order)]]
    t = pos - int(pos)
    return {k: round((1 - t) * a.get(k, 0.0) + t * b.get(k, 0.0), 4) for k in sorted(set(a) | set(b))}


def scenario_at(generation: int, seed: int = 0) -> dict[str, Any]:
    return SCENARIOS[random.Random(seed * 1000 + generation).randrange(len(SCENARIOS))]


def prompt(traits: str, scenario: dict[str, Any]) -> str:
    opts = "\n".join(f"{k}) {v[0]}" for k, v in scenario["options"].items())
    return (f"You are a member of a small society. Your character: {traits}\n"
            f"Situation: {scenario['text']}\nOptions:\n{opts}\nAnswer with one letter. Answer:")  # fmt: skip


def parse_choice(text: Any, scenario: dict[str, Any]) -> tuple[str | None, str]:
    """(the option letter, '') or (None, the reason the reply is no option)."""
    if not isinstance(text, str) or not text.strip():
        return None, "empty reply"
    t = text.strip()[:200]
    m = (
        re.match(r"\(?([ABC])(?:[).:\s]|$)", t)
        or re.match(r"\(?([abc])\)", t)
        or re.search(r"\b(?:option|choose|choice|answer)\W{0,3}(?:is\W{0,3})?\(?([abc])\b", t, re.I)
    )
    if m and m.group(1).upper() in scenario["options"]:
        return m.group(1).upper(), ""
    for k, (words, *_rest) in scenario["options"].items():  # the option's own words
        if words.lower() in text.lower():
            return k, ""
    return None, f"names no option A-C: {text.strip()[:50]!r}"


def judge(scenario: dict[str, Any], norms: dict[str, float], choices: Sequence[str | None]) -> list[float]:
    """Fitness of each agent: public-goods payoff + the norms' approval of its option (invalid: the
    worst approval on offer, and no private payoff)."""
    opts = scenario["options"]
    pool = 2.0 * sum(1 for c in choices if c is not None and opts[c][2]) / max(1, len(choices))
    approval = {k: sum(norms.get(tag, 0.0) for tag in v[1]) for k, v in opts.items()}
    worst = min(approval.values()) - 1.0
    return [round(pool + (approval[c] + (0 if opts[c][2] else 1.0) if c is not None else worst), 4) for c in choices]
