"""Consistency across samples: for each item, the share of its k sampled answers that agree with the most
common one, averaged over items (1.0: every item answered the same way every time). An internal-
consistency signal of the self-feedback survey ("Internal Consistency and Self-Feedback in Large Language
Models: A Survey", Liang et al., 2024), the agreement self-consistency votes on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np


def modal_share(answers: Sequence[Hashable | None]) -> float:
    """The share of ``answers`` equal to the most common one; ``None`` (no answer) never counts as the
    mode but counts among the k (all None: 0)."""
    if len(answers) == 0:
        raise ValueError("modal_share: no answers")
    votes = Counter(a for a in answers if a is not None)
    return votes.most_common(1)[0][1] / len(answers) if votes else 0.0


def consistency(samples: Sequence[Sequence[Hashable | None]]) -> float:
    """The modal share of each item's sampled answers (``samples[i]``: item i's k answers), averaged."""
    if len(samples) == 0:
        raise ValueError("consistency: no items")
    return float(np.mean([modal_share(answers) for answers in samples]))
