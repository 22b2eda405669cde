"""What the verifiable self-training tasks (word problems, program output) share with each other: the
answer line, a seeded train / held-out split over a problem generator, greedy held-out accuracy and
``evaluate`` (given the task's own prompt, checker and settings)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

_ANSWER = re.compile(r"Answer:\s*(-?\d+)")


def answer(text: str) -> str | None:
    """The final integer answer in a completion ("... Answer: 42"), or None when it has none."""
    m = _ANSWER.search(text)
    return str(int(m.group(1))) if m else None


def split(
    draw: Callable[[np.random.Generator], str], heldout: int, split_seed: int, n: int, seed: int
) -> tuple[list[str], list[str]]:
    """``heldout`` distinct held-out problems (fixed by ``split_seed``) and ``n`` training problems drawn
    with ``seed``, none of them held out."""
    rng = np.random.default_rng(split_seed)
    held: list[str] = []
    seen: set[str] = set()
    tries = 0
    while len(held) < heldout and tries < 100 * heldout + 1000:
        q = draw(rng)
        tries += 1
        if q not in seen:
            seen.add(q)
            held.append(q)
    rng = np.random.default_rng([split_seed, int(seed), 7])
    train: list[str] = []
    tries = 0
    while len(train) < n and tries < 100 * n + 1000:
        q = draw(rng)
        tries += 1
        if q not in seen:
            train.append(q)
    return held, train


def accuracy(
    checkpoint: str,
    questions: list[str],
    *,
    prompt: Callable[[str], str],
    correct: Callable[[str, str], bool],
    max_new_tokens: int,
    batch_size: int,
) -> tuple[float, list[str]]:
    """Greedy accuracy of ``checkpoint`` on ``questions`` and its completions."""
    from evoforge.genomes.weights.generate import greedy

    texts = greedy(checkpoint, [prompt(q) for q in questions], max_new_tokens=max_new_tokens, batch_size=batch_size)
    return sum(correct(q, t) for q, t in zip(questions, texts)) / max(1, len(questions)), texts


def evaluate(
    genome: str, questions: list[str], accuracy: Callable[[str, list[str]], tuple[float, list[str]]]
) -> dict[str, Any]:
    """The task's score: greedy accuracy on its held-out problems, with the format rate and an example."""
    acc, texts = accuracy(str(genome), questions)
    formatted = sum(answer(t) is not None for t in texts) / max(1, len(texts))
    return {
        "score": acc,
        "metrics": {
            "heldout_acc": acc,
            "heldout_n": len(questions),
            "formatted": formatted,
            "example": texts[0][:80] if texts else "",
        },
    }


def as_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
