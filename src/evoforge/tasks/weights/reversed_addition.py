"""Addition with the answer written least-significant digit first ("123+45=" -> "861"), for a small
transformer trained from scratch and grown to longer numbers by self-improvement (the ``easy-to-hard``
recipe). The genome is a checkpoint directory; the score is its *reach*: the number of digits ``L`` up
to which every length is solved (held-out accuracy >= ``solved``), plus the accuracy at ``L + 1``.

A problem of length ``d`` has one operand of exactly ``d`` digits and the other of 1 to ``d`` digits.
Options (``--set task.KEY=VALUE``): ``digits`` (3: the labelled lengths, 1..digits), ``max_digits``
(10: the longest length evaluated), ``heldout`` (100 problems per length), ``solved`` (0.9),
``split_seed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .addition import operands

DESCRIPTION = "reversed-answer addition by a checkpoint (genome: checkpoint dir; score: digits solved + next)"
GENOME = "weights"  # not inferable from SEED (evoforge.core.kinds)
SEED = "tiny:0:3x128"  # a 3-layer, 128-wide Llama with a character tokenizer, randomly initialised

DIGITS = 3
MAX_DIGITS = 10
HELDOUT = 100
SOLVED = 0.9
SPLIT_SEED = 31337
BATCH_SIZE = 200
MAX_NEW_TOKENS = MAX_DIGITS + 2


def configure(
    digits: int = 3, max_digits: int = 10, heldout: int = 100, solved: float = 0.9, split_seed: int = 31337
) -> None:
    global DIGITS, MAX_DIGITS, HELDOUT, SOLVED, SPLIT_SEED, MAX_NEW_TOKENS
    DIGITS, MAX_DIGITS, HELDOUT = int(digits), int(max_digits), int(heldout)
    SOLVED, SPLIT_SEED, MAX_NEW_TOKENS = float(solved), int(split_seed), int(max_digits) + 2
    _cache.clear()


_cache: dict[str, Any] = {}


def _draw(rng: np.random.Generator, n: int, digits: int | None) -> list[str]:
    """``n`` problems; ``digits=None`` mixes lengths 1..DIGITS, else the longer operand has ``digits``."""
    out = []
    for _ in range(n):
        d = int(rng.integers(1, DIGITS + 1)) if digits is None else digits
        e = int(rng.integers(1, d + 1)) if digits is not None else int(rng.integers(1, DIGITS + 1))
        a = int(rng.integers(10 ** (d - 1) if d > 1 else 0, 10**d))
        b = int(rng.integers(10 ** (e - 1) if e > 1 else 0, 10**e))
        out.append(f"{a}+{b}" if rng.random() < 0.5 else f"{b}+{a}")
    return out


def heldout(digits: int) -> list[str]:
    """The held-out problems of one length (fixed by ``split_seed``); never used for training."""
    key = f"heldout-{digits}"
    if key not in _cache:
        _cache[key] = _draw(np.random.default_rng([SPLIT_SEED, digits]), HELDOUT, digits)
    return _cache[key]


def train_problems(n: int, seed: int, digits: int | None = None) -> list[str]:
    """``n`` training problems (lengths 1..DIGITS mixed, or exactly ``digits``), none held out."""
    held = {q for d in range(1, MAX_DIGITS + 1) for q in heldout(d)}
    rng = np.random.default_rng([SPLIT_SEED, int(seed), 11])
    out: list[str] = []
    while len(out) < n:
        out += [q for q in _draw(rng, n, digits) if q not in held]
    return out[:n]


def gold(question: str) -> str:
    a, b = operands(question)
    return str(a + b)[::-1]


def prompt(question: str, hint: str | None = None) -> str:
    return f"{question}="


def solution(question: str) -> str:
    return gold(question)


def answer(text: str) -> str | None:
    text = text.strip()
    return text if text.isdigit() else None


def correct(question: str, text: str) -> bool:
    return answer(text) == gold(question)


def accuracy(checkpoint: str, questions: list[str]) -> tuple[float, list[str]]:
    """Greedy accuracy of ``checkpoint`` on ``questions`` and its completions."""
    from evoforge.genomes.weights.generate import greedy

    texts = greedy(
        checkpoint, [prompt(q) for q in questions], max_new_tokens=MAX_NEW_TOKENS, batch_size=BATCH_SIZE, stop=None
    )
    return sum(correct(q, t) for q, t in zip(questions, texts)) / max(1, len(questions)), texts


def reach(accs: dict[int, float]) -> float:
    """Digits solved (every length up to it at >= ``SOLVED``) plus the accuracy one digit further."""
    solved = 0
    while solved + 1 in accs and accs[solved + 1] >= SOLVED:
        solved += 1
    return solved + accs.get(solved + 1, 0.0)


def evaluate(genome: str) -> dict[str, Any]:
    accs = {d: accuracy(str(genome), heldout(d))[0] for d in range(1, MAX_DIGITS + 1)}
    return {"score": reach(accs), "metrics": {f"acc_{d}": a for d, a in accs.items()}}
