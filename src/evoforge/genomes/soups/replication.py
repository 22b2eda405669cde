"""Whether a tape copies itself: run it beside a partner tape of random bytes, in both orders, and see
how much of it the partner holds afterwards. A perfect self-replicator scores 1; a random tape about
1/256 (the chance that a partner byte already matches)."""

from __future__ import annotations

import numpy as np

from .bff import interpret

PARTNER_SEED = 20240627  # the partner's bytes: fixed, so a tape's score is a property of the tape


def partner(length: int) -> np.ndarray:
    """The random partner tape of ``length`` bytes (the same every time)."""
    return np.random.default_rng(PARTNER_SEED).integers(0, 256, size=length, dtype=np.uint8)


def copy_share(tape: np.ndarray | bytes, steps: int = 8192, other: np.ndarray | None = None) -> float:
    """The share of ``tape``'s bytes that ``other`` (default :func:`partner`) holds at the same places
    after one interaction, the better of the two orders (``tape`` first, ``other`` first)."""
    mine = np.frombuffer(tape, dtype=np.uint8) if isinstance(tape, bytes) else np.asarray(tape, dtype=np.uint8)
    length = len(mine)
    theirs = partner(length) if other is None else np.asarray(other, dtype=np.uint8)
    best = 0.0
    for first, copy_at in ((mine, slice(length, None)), (theirs, slice(0, length))):
        joined = np.concatenate([first, theirs if first is mine else mine])
        interpret(joined, int(steps))
        best = max(best, float(np.mean(joined[copy_at] == mine)))
    return best
