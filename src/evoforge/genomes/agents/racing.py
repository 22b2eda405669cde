"""Racing an agent against the score to beat: items are scored in rungs (4, 8, 16, ... items) and the
evaluation stops after a rung once the agent can no longer plausibly beat that score, so a weak
design costs a few items' calls instead of all of them.

"Plausibly" is the one-sided Wilson upper bound (z = 1.28, about 90 %) of the agent's success rate on
the items scored so far. A recipe asks for a race by adding the evaluation key ``beat`` (the
incumbent's score) to a genome; the score of a raced-out agent is its mean over the items it was
scored on (``metrics["raced_out"]`` says so).
"""

from __future__ import annotations

import math
from typing import Any

Z = 1.28
FIRST_RUNG = 4


def upper_bound(total: float, n: int, z: float = Z) -> float:
    """The Wilson score upper bound of a success rate after ``total`` successes in ``n`` items."""
    if n <= 0:
        return 1.0
    p = total / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def rungs(n: int, first: int = FIRST_RUNG) -> list[int]:
    """Cumulative item counts after which a race may stop: ``first``, doubling, then ``n``."""
    out, k = [], max(1, first)
    while k < n:
        out.append(k)
        k *= 2
    return out + [n]


def out_of_race(scores: list[float], beat: float | None) -> bool:
    """True when ``scores`` so far cannot plausibly reach a mean above ``beat``."""
    return beat is not None and upper_bound(sum(scores), len(scores)) < beat


def raced(genome: dict[str, Any], beat: float | None) -> dict[str, Any]:
    """``genome`` with the score to beat (unchanged when there is none yet)."""
    return genome if beat is None else {**genome, "beat": float(beat)}
