"""Shared parts of the self-training recipes whose loop trains a reward model
(:mod:`evoforge.genomes.weights.reward_model`): preference pairs from the task's checker or from the reward
model's own scores, the reward model's training settings, and the pair-label monitors.

A pair is ``{"question", "prompt", "chosen", "rejected"}`` (the question feeds the monitors; :func:`bare`
drops it before training); the reward model always starts from the round-0
checkpoint (the warm start: it knows the answer format) and is written to ``<run>/rm-<tag>``, resumable
like every update. The recipe keeps only its path (``rm``) and the pairs' files, never a model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evoforge.core.recipe import param, state
from evoforge.genomes.weights.reward_model import RMConfig, pair_accuracy, score, train_reward_model

from ._base import SelfTraining

Pair = dict[str, Any]


def checked_pairs(
    T: Any, questions: Sequence[str], samples: Sequence[Sequence[str]], *, gold: bool = False
) -> list[Pair]:
    """Right-over-wrong pairs by the task's checker: each distinct right sample of a problem is paired
    with a distinct wrong one; with ``gold``, the gold solution is preferred to a wrong sample of a
    problem that has no right one."""
    pairs: list[Pair] = []
    for q, ss in zip(questions, samples):
        distinct = list(dict.fromkeys(ss))
        right = [s for s in distinct if T.correct(q, s)]
        wrong = [s for s in distinct if not T.correct(q, s)]
        if gold and not right and wrong:
            right = [T.solution(q)]
        pairs += [{"question": q, "prompt": T.prompt(q), "chosen": r, "rejected": w} for r, w in zip(right, wrong)]
    return pairs


def vote_pairs(T: Any, questions: Sequence[str], samples: Sequence[Sequence[str]]) -> list[Pair]:
    """Label-free ranks: a sample giving the majority answer over one giving another answer (or none)."""
    from evoforge.genomes.weights.monitors import votes

    pairs: list[Pair] = []
    for q, ss in zip(questions, samples):
        v = votes(list(ss), T)
        if not v:
            continue
        top = v.most_common(1)[0][0]
        distinct = list(dict.fromkeys(ss))
        agree = [s for s in distinct if T.answer(s) == top]
        other = [s for s in distinct if T.answer(s) != top]
        pairs += [{"question": q, "prompt": T.prompt(q), "chosen": a, "rejected": o} for a, o in zip(agree, other)]
    return pairs


def best_worst(
    prompts: Sequence[str], samples: Sequence[Sequence[str]], scores: Sequence[float]
) -> list[tuple[int, int, int, float]]:
    """Per problem, ``(problem, best sample, worst sample, score margin)`` by the reward model's
    ``scores`` (flattened, k per problem); problems whose samples are all the same text give none."""
    out, i = [], 0
    for p, ss in enumerate(samples):
        sc = list(scores[i : i + len(ss)])
        i += len(ss)
        if len(set(ss)) < 2:
            continue
        b = max(range(len(ss)), key=sc.__getitem__)
        w = min(range(len(ss)), key=sc.__getitem__)
        if ss[b] != ss[w]:
            out.append((p, b, w, sc[b] - sc[w]))
    return out


def label_accuracy(T: Any, pairs: Sequence[Pair]) -> float | None:
    """How often a pair's label is right, among pairs whose two texts differ in correctness (the
    others cannot be judged): a monitor, from the task's checker."""
    judged = []
    for p in pairs:
        good, bad = T.correct(p["question"], p["chosen"]), T.correct(p["question"], p["rejected"])
        if good != bad:
            judged.append(good)
    return sum(judged) / len(judged) if judged else None


def bare(pairs: Sequence[Pair], *keep: str) -> list[Pair]:
    """The pairs with only the fields a trainer reads (``prompt``, ``chosen``, ``rejected`` and ``keep``)."""
    return [{k: p[k] for k in ("prompt", "chosen", "rejected", *keep)} for p in pairs]


@dataclass(kw_only=True)
class RewardModelRound(SelfTraining):
    """Base of the recipes that train a reward model in their loop (not registered itself)."""

    rm_epochs: float = param(2.0, low=0, low_open=True, help="passes over the reward model's pairs")
    rm_lr: float = param(0.0, low=0, help="reward-model learning rate (0: 1e-3 for LoRA + head, 2e-5 in full)")
    rm_batch: int = param(8, low=1, help="pairs per reward-model training step")

    rm: str = state("")  # the current reward model's checkpoint

    def fit_rm(self, pairs: Sequence[Pair], tag: str) -> str:
        """Train a reward model on ``pairs`` from the starting checkpoint; it becomes the current one."""
        cfg = RMConfig(
            lora=self.lora,
            lora_r=self.lora_r,
            lr=self.rm_lr or None,
            epochs=self.rm_epochs,
            batch_size=self.rm_batch,
            seed=self.round,
        )
        self.rm = str(train_reward_model(self.start, bare(pairs), Path(self.run_dir) / f"rm-{tag}", cfg))
        return self.rm

    def rm_scores(self, prompts: Sequence[str], samples: Sequence[Sequence[str]]) -> list[float]:
        """The current reward model's score of every sample (flattened, k per prompt)."""
        flat_p = [p for p, ss in zip(prompts, samples) for _ in ss]
        return list(score(self.rm, flat_p, [s for ss in samples for s in ss]))  # type: ignore[arg-type]

    def rm_accuracy(self, pairs: Sequence[Pair]) -> float | None:
        """The current reward model's accuracy on right-over-wrong ``pairs`` (a monitor)."""
        return pair_accuracy(self.rm, bare(pairs)) if self.rm and pairs else None

    def save_pairs(self, tag: str, pairs: Sequence[Pair]) -> None:
        (Path(self.run_dir) / f"pairs-{tag}.json").write_text(json.dumps(list(pairs)))

    def load_pairs(self, tags: Sequence[str]) -> list[Pair]:
        """The pairs saved under ``tags`` (missing files give none)."""
        out: list[Pair] = []
        for tag in tags:
            f = Path(self.run_dir) / f"pairs-{tag}.json"
            if f.is_file():
                out += json.loads(f.read_text())
        return out
