"""Monitors of a self-training round: pass@1, pass@k, maj@k, answer diversity and format rate of a
model's samples, and majority votes over its answers. ``task`` is a :class:`~.task.WeightsTask` (its
``correct``, ``answer`` and ``gold``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .task import WeightsTask


def sample_monitors(questions: list[str], samples: list[list[str]], task: WeightsTask) -> dict[str, float]:
    """pass@1, pass@k, maj@k, answer diversity and format rate of ``samples`` (k per question)."""
    k = max(1, len(samples[0]) if samples else 1)
    ok = [[task.correct(q, s) for s in ss] for q, ss in zip(questions, samples)]
    answers = [[task.answer(s) for s in ss] for ss in samples]
    maj = []
    for q, ans in zip(questions, answers):
        votes = Counter(a for a in ans if a is not None)
        maj.append(bool(votes) and votes.most_common(1)[0][0] == task.gold(q))
    n = max(1, len(questions))
    return {
        "generated": sum(len(ss) for ss in samples),
        "pass1": float(np.mean([np.mean(o) for o in ok])) if ok else 0.0,
        "passk": sum(any(o) for o in ok) / n,
        "majk": sum(maj) / n,
        "k": k,
        "diversity": float(np.mean([len({a for a in ans if a is not None}) / k for ans in answers]))
        if answers
        else 0.0,
        "formatted": float(np.mean([[a is not None for a in ans] for ans in answers])) if answers else 0.0,
    }


def votes(texts: list[str], task: WeightsTask) -> Counter:
    return Counter(a for a in (task.answer(t) for t in texts) if a is not None)
