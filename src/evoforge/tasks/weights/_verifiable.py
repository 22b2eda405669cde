"""What the verifiable self-training tasks (word problems, program output) share with each other: the
answer line and a seeded train / held-out split over a problem generator (greedy held-out accuracy and
``evaluate`` come with :class:`~evoforge.genomes.weights.task.WeightsTask`)."""

from __future__ import annotations

import re
from collections.abc import Callable

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
