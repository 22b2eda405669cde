"""Multi-step arithmetic word problems for self-training of weights: the genome is a model checkpoint
directory, the score its held-out accuracy (greedy decoding).

A problem is generated from a seed with a known answer: a start count, then ``steps`` events (buying,
finding, giving away, losing, buying packs of several), then the question. The gold answer is read
back from the question text itself (:func:`parse`), so any problem -- an easier variant, a problem in
a run file -- is checked the same way. Gold solutions show each step ("7+5=12, 12-3=9. Answer: 9").
Options (``--set task.KEY=VALUE``): ``steps`` (2), ``max_start`` (20), ``heldout`` (200 problems),
``rationale`` (True), ``split_seed``, ``batch_size`` (generation).
"""

import re
from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.weights.task import WeightsTask

from . import _verifiable as V

NAMES = ["Ann", "Ben", "Cara", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivy", "Jon", "Kim", "Leo"]
ITEMS = ["apples", "marbles", "cards", "coins", "books", "pencils", "stickers", "shells"]
# event sentence (after the name) -> sign; "packs" multiplies
EVENTS = {"buys {b} more": 1, "finds {b} more": 1, "gives away {b}": -1, "loses {b}": -1, "buys {b} packs of {c}": 1}
_START = re.compile(r"^(\w+) has (\d+) (\w+)$")
_EVENT = re.compile(r"^(\w+) (buys|finds|gives away|loses) (\d+)(?: (more)| packs of (\d+))?$")
_QUESTION = re.compile(r"^How many (\w+) does (\w+) have now\?$")


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


def gold(question: str) -> str:
    """The answer read back from the text ("?" when it is not a problem of this task: no answer is right)."""
    p = parse(question)
    if p is None:
        return "?"
    return str(p[0] + sum(s * a for s, a in p[1]))


@dataclass(kw_only=True)
class WordProblems(WeightsTask):
    """A start count, ``steps`` events, the question; the base model is SmolLM2-135M-Instruct."""

    description: str = (
        "multi-step arithmetic word problems by a model checkpoint (genome: checkpoint dir; score: held-out accuracy)"
    )
    steps: int = option(2, help="events per problem")
    max_start: int = option(20, help="largest starting count")
    heldout: int = option(200, help="held-out problems")
    rationale: bool = option(True, help="gold answers show one equation per event")
    split_seed: int = option(4242, help="seed of the held-out split")
    batch_size: int = option(64, help="prompts per generation batch")

    def __post_init__(self) -> None:
        if self.steps < 1 or self.max_start < 2:
            raise ValueError("word_problems: steps >= 1 and max_start >= 2")

    @property
    def max_new_tokens(self) -> int:
        return 12 + (14 * self.steps + 4 if self.rationale else 0)

    def _draw(self, rng: np.random.Generator, steps: int | None = None) -> str:
        name, item = NAMES[int(rng.integers(len(NAMES)))], ITEMS[int(rng.integers(len(ITEMS)))]
        total = int(rng.integers(2, self.max_start + 1))
        parts = [f"{name} has {total} {item}"]
        for _ in range(steps or self.steps):
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

    def heldout_problems(self) -> list[str]:
        return self.cached("heldout", lambda: V.split(self._draw, self.heldout, self.split_seed, 0, 0)[0])

    def train_problems(self, n: int, seed: int, digits: int | None = None) -> list[str]:
        """``n`` training problems drawn with ``seed``, none of them held out (``digits``: ignored)."""
        return V.split(self._draw, self.heldout, self.split_seed, n, seed)[1]

    def gold(self, question: str) -> str:
        return gold(question)

    def prompt(self, question: str, hint: str | None = None) -> str:
        return f"Q: {question}{f' (answer {hint})' if hint is not None else ''}\nA:"

    def solution(self, question: str) -> str:
        """One equation per event, then the answer (or the answer alone)."""
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
        if not self.rationale:
            return f" Answer: {total}"
        return " " + ", ".join(steps) + f". Answer: {total}"

    def answer(self, text: str) -> str | None:
        return V.answer(text)

    def easier(self, question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
        """Each variant has one event dropped (a one-event problem stays as is)."""
        sentences = question.split(". ")
        if parse(question) is None or len(sentences) <= 3:
            return [question] * k
        out = []
        for _ in range(k):
            drop = 1 + int(rng.integers(len(sentences) - 2))
            variant = ". ".join(sentences[:drop] + sentences[drop + 1 :])
            out.append(variant if parse(variant) and int(gold(variant)) >= 0 else question)
        return out


TASK = WordProblems()
