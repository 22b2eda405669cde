"""The reward model a recipe trains in its loop (:mod:`evoforge.genomes.weights.reward_model`), composed by
``rm-guided``, ``self-motivated``, ``self-evolved-reward`` and ``upo``: preference pairs from the task's
checker or from the reward model's own scores, the reward model's parameters and training
(:class:`RewardModels`), and the pair-label monitors.

A pair is ``{"question", "prompt", "chosen", "rejected"}`` (the question feeds the monitors; :func:`bare`
drops it before training); the reward model always starts from the round-0
checkpoint (the warm start: it knows the answer format) and is written to ``<run>/rm-<tag>``, resumable
like every update. The recipe keeps only its path (an ``rm`` state field) and the pairs' files, never a
model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from evoforge.core.recipe import param
from evoforge.genomes.weights.reward_model import RMConfig, pair_accuracy, score, train_reward_model
from evoforge.genomes.weights.task import WeightsTask

Pair = dict[str, Any]


def rm_epochs() -> Any:
    return param(2.0, low=0, low_open=True, help="passes over the reward model's pairs")


def rm_lr() -> Any:
    return param(0.0, low=0, help="reward-model learning rate (0: 1e-3 for LoRA + head, 2e-5 in full)")


def rm_batch() -> Any:
    return param(8, low=1, help="pairs per reward-model training step")


def checked_pairs(
    task: WeightsTask, questions: Sequence[str], samples: Sequence[Sequence[str]], *, gold: bool = False
) -> list[Pair]:
    """Right-over-wrong pairs by the task's checker: each distinct right sample of a problem is paired
    with a distinct wrong one; with ``gold``, the gold solution is preferred to a wrong sample of a
    problem that has no right one."""
    pairs: list[Pair] = []
    for q, ss in zip(questions, samples):
        distinct = list(dict.fromkeys(ss))
        right = [s for s in distinct if task.correct(q, s)]
        wrong = [s for s in distinct if not task.correct(q, s)]
        if gold and not right and wrong:
            right = [task.solution(q)]
        pairs += [{"question": q, "prompt": task.prompt(q), "chosen": r, "rejected": w} for r, w in zip(right, wrong)]
    return pairs


def vote_pairs(task: WeightsTask, questions: Sequence[str], samples: Sequence[Sequence[str]]) -> list[Pair]:
    """Label-free ranks: a sample giving the majority answer over one giving another answer (or none)."""
    from evoforge.genomes.weights.monitors import votes

    pairs: list[Pair] = []
    for q, ss in zip(questions, samples):
        v = votes(list(ss), task)
        if not v:
            continue
        top = v.most_common(1)[0][0]
        distinct = list(dict.fromkeys(ss))
        agree = [s for s in distinct if task.answer(s) == top]
        other = [s for s in distinct if task.answer(s) != top]
        pairs += [{"question": q, "prompt": task.prompt(q), "chosen": a, "rejected": o} for a, o in zip(agree, other)]
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


def label_accuracy(task: WeightsTask, pairs: Sequence[Pair]) -> float | None:
    """How often a pair's label is right, among pairs whose two texts differ in correctness (the
    others cannot be judged): a monitor, from the task's checker."""
    judged = []
    for p in pairs:
        good, bad = task.correct(p["question"], p["chosen"]), task.correct(p["question"], p["rejected"])
        if good != bad:
            judged.append(good)
    return sum(judged) / len(judged) if judged else None


def bare(pairs: Sequence[Pair], *keep: str) -> list[Pair]:
    """The pairs with only the fields a trainer reads (``prompt``, ``chosen``, ``rejected`` and ``keep``)."""
    return [{k: p[k] for k in ("prompt", "chosen", "rejected", *keep)} for p in pairs]


class RMRecipe(Protocol):
    """What :meth:`RewardModels.of` reads from a recipe: the run and the ``rm_*`` parameters."""

    run_dir: str
    start: str
    round: int
    lora: bool
    lora_r: int
    rm_epochs: float
    rm_lr: float
    rm_batch: int


@dataclass
class RewardModels:
    """A run's reward models, trained from ``start`` (the round-0 checkpoint) into ``<run_dir>/rm-<tag>``
    with ``config``, and the pairs saved for them as ``<run_dir>/pairs-<tag>.json``."""

    run_dir: Path
    start: str
    config: RMConfig

    @classmethod
    def of(cls, r: RMRecipe) -> RewardModels:
        """The reward models of recipe ``r`` this round (its ``rm_*`` parameters, the round as seed)."""
        cfg = RMConfig(lora=r.lora, lora_r=r.lora_r, lr=r.rm_lr or None, epochs=r.rm_epochs, batch_size=r.rm_batch,
                       seed=r.round)  # fmt: skip
        return cls(Path(r.run_dir), r.start, cfg)

    def fit(self, pairs: Sequence[Pair], tag: str) -> str:
        """Train a reward model on ``pairs``; its path (the recipe's new current reward model)."""
        return str(train_reward_model(self.start, bare(pairs), self.run_dir / f"rm-{tag}", self.config))

    def save_pairs(self, tag: str, pairs: Sequence[Pair]) -> None:
        (self.run_dir / f"pairs-{tag}.json").write_text(json.dumps(list(pairs)))

    def load_pairs(self, tags: Sequence[str]) -> list[Pair]:
        """The pairs saved under ``tags`` (missing files give none)."""
        out: list[Pair] = []
        for tag in tags:
            f = self.run_dir / f"pairs-{tag}.json"
            if f.is_file():
                out += json.loads(f.read_text())
        return out


def rm_scores(rm: str, prompts: Sequence[str], samples: Sequence[Sequence[str]]) -> list[float]:
    """Reward model ``rm``'s score of every sample (flattened, k per prompt)."""
    flat_p = [p for p, ss in zip(prompts, samples) for _ in ss]
    return list(score(rm, flat_p, [s for ss in samples for s in ss]))  # type: ignore[arg-type]


def rm_accuracy(rm: str, pairs: Sequence[Pair]) -> float | None:
    """Reward model ``rm``'s accuracy on right-over-wrong ``pairs`` (a monitor; None without both)."""
    return pair_accuracy(rm, bare(pairs)) if rm and pairs else None
