"""Multi-step arithmetic word problems for self-training of weights: the genome is a model checkpoint
directory, the score its held-out accuracy (greedy decoding).

A problem is generated from a seed with a known answer: a start count, then ``steps`` events (buying,
finding, giving away, losing, buying packs of several), then the question. The gold answer is read
back from the question text itself (:func:`parse`), so any problem -- an easier variant, a problem in
a run file -- is checked the same way. Gold solutions show each step ("7+5=12, 12-3=9. Answer: 9").
Options (``--set task.KEY=VALUE``): ``steps`` (2), ``max_start`` (20), ``heldout`` (200 problems),
``rationale`` (True), ``split_seed``, ``batch_size`` (generation).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from . import _verifiable as V

DESCRIPTION = (
    "multi-step arithmetic word problems by a model checkpoint (genome: checkpoint dir; score: held-out accuracy)"
)
GENOME = "weights"  # not inferable from SEED (evoforge.core.kinds)
SEED = "embedded"  # the base model: SmolLM2-135M-Instruct de-quantized

STEPS = 2
MAX_START = 20
HELDOUT = 200
RATIONALE = True
SPLIT_SEED = 4242
BATCH_SIZE = 64
MAX_NEW_TOKENS = 44

NAMES = ["Ann", "Ben", "Cara", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivy", "Jon", "Kim", "Leo"]
ITEMS = ["apples", "marbles", "cards", "coins", "books", "pencils", "stickers", "shells"]
# event sentence (after the name) -> sign; "packs" multiplies
EVENTS = {"buys {b} more": 1, "finds {b} more": 1, "gives away {b}": -1, "loses {b}": -1, "buys {b} packs of {c}": 1}
_START = re.compile(r"^(\w+) has (\d+) (\w+)$")
_EVENT = re.compile(r"^(\w+) (buys|finds|gives away|loses) (\d+)(?: (more)| packs of (\d+))?$")
_QUESTION = re.compile(r"^How many (\w+) does (\w+) have now\?$")


def configure(
    steps: int = 2,
    max_start: int = 20,
    heldout: int = 200,
    rationale: bool = True,
    split_seed: int = 4242,
    batch_size: int = 64,
) -> None:
    global STEPS, MAX_START, HELDOUT, RATIONALE, SPLIT_SEED, BATCH_SIZE, MAX_NEW_TOKENS
    STEPS, MAX_START, HELDOUT, SPLIT_SEED, BATCH_SIZE = (
        int(steps),
        int(max_start),
        int(heldout),
        int(split_seed),
        int(batch_size),
    )
    if STEPS < 1 or MAX_START < 2:
        raise ValueError("word_problems: steps >= 1 and max_start >= 2")
    RATIONALE = V.as_bool(rationale)
    MAX_NEW_TOKENS = 12 + (14 * STEPS + 4 if RATIONALE else 0)
    _cache.clear()


_cache: dict[str, Any] = {}


def _draw(rng: np.random.Generator, steps: int | None = None) -> str:
    name, item = NAMES[int(rng.integers(len(NAMES)))], ITEMS[int(rng.integers(len(ITEMS)))]
    total = int(rng.integers(2, MAX_START + 1))
    parts = [f"{name} has {total} {item}"]
    for _ in range(steps or STEPS):
        event = list(EVENTS)[int(rng.integers(len(EVENTS)))]
        b, c = int(rng.integers(1, 10)), int(rng.integers(2, 6))
        if "packs" in event:
            b = int(rng.integers(2, 5))
        delta = EVENTS[event] * b * (c if "packs" in event else 1)
        if total + delta < 0:  # never more given away than held
            event, delta = "finds {b} more", b
        total += delta
        parts.append(f"{name} {event.format(b=b, c=c)}")
    return ". ".join(parts) + f". How many {item} does {name} have now?"


def parse(question: str) -> tuple[int, list[tuple[int, int]], str, str] | None:
    """(start, [(sign, amount), ...], name, item) of a problem, or None when it is not one of ours."""
    sentences = question.split(". ")
    if len(sentences) < 3:
        return None
    m0, mq = _START.match(sentences[0]), _QUESTION.match(sentences[-1])
    if not m0 or not mq or mq.group(1) != m0.group(3) or mq.group(2) != m0.group(1):
        return None
    events = []
    for s in sentences[1:-1]:
        m = _EVENT.match(s)
        if not m or m.group(1) != m0.group(1):
            return None
        sign = 1 if m.group(2) in ("buys", "finds") else -1
        gain = m.group(4) is not None or m.group(5) is not None  # "more" or "packs of"
        if gain != (sign > 0) or (m.group(5) is not None and m.group(2) != "buys"):
            return None
        events.append((sign, int(m.group(3)) * (int(m.group(5)) if m.group(5) else 1)))
    return int(m0.group(2)), events, m0.group(1), m0.group(3)


def heldout() -> list[str]:
    """The held-out problems (fixed by ``split_seed``); never used for training."""
    if "heldout" not in _cache:
        _cache["heldout"] = V.split(_draw, HELDOUT, SPLIT_SEED, 0, 0)[0]
    return _cache["heldout"]


def train_problems(n: int, seed: int, digits: int | None = None) -> list[str]:
    """``n`` training problems drawn with ``seed``, none of them held out (``digits``: ignored)."""
    return V.split(_draw, HELDOUT, SPLIT_SEED, n, seed)[1]


def gold(question: str) -> str:
    p = parse(question)
    if p is None:
        return "?"  # not a problem of this task: no answer is right
    return str(p[0] + sum(s * a for s, a in p[1]))


def prompt(question: str, hint: str | None = None) -> str:
    """The prompt; with ``hint`` (the right answer) it is STaR's rationalization prompt."""
    return f"Q: {question}{f' (answer {hint})' if hint is not None else ''}\nA:"


def solution(question: str) -> str:
    """The gold completion: one equation per event, then the answer (or the answer alone)."""
    p = parse(question)
    if p is None:
        raise ValueError(f"not a word problem of this task: {question[:60]!r}")
    total, steps = p[0], []
    for sentence, (sign, amount) in zip(question.split(". ")[1:-1], p[1]):
        m = _EVENT.match(sentence)
        if m and m.group(5):
            steps.append(f"{m.group(3)}*{m.group(5)}={amount}")
        steps.append(f"{total}{'+' if sign > 0 else '-'}{amount}={total + sign * amount}")
        total += sign * amount
    if not RATIONALE:
        return f" Answer: {total}"
    return " " + ", ".join(steps) + f". Answer: {total}"


answer = V.answer


def correct(question: str, text: str) -> bool:
    return answer(text) == gold(question)


def easier(question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
    """LADDER: ``k`` simpler variants, each with one event dropped (a one-event problem stays as is)."""
    sentences = question.split(". ")
    if parse(question) is None or len(sentences) <= 3:
        return [question] * k
    out = []
    for _ in range(k):
        drop = 1 + int(rng.integers(len(sentences) - 2))
        variant = ". ".join(sentences[:drop] + sentences[drop + 1 :])
        out.append(variant if parse(variant) and int(gold(variant)) >= 0 else question)
    return out


def accuracy(checkpoint: str, questions: list[str]) -> tuple[float, list[str]]:
    """Greedy accuracy of ``checkpoint`` on ``questions`` and its completions."""
    return V.accuracy(
        checkpoint, questions, prompt=prompt, correct=correct, max_new_tokens=MAX_NEW_TOKENS, batch_size=BATCH_SIZE
    )


def evaluate(genome: str) -> dict[str, Any]:
    return V.evaluate(genome, heldout(), accuracy)
