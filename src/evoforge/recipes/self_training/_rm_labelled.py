"""The round shared by the recipes whose reward model labels the policy's samples for DPO
(``self-evolved-reward``, ``upo``), composed by each: a first reward model from a few gold-checked pairs,
then each round the policy samples k answers per problem, the reward model's best and worst form a
pair, the most confident ``keep`` share of the pairs is kept (the recipe's ``confidence`` says what
confident means), the policy is trained by DPO on them, and (``rm_retrain``) the reward model is
retrained on the gold pairs plus every pair it kept so far. Labels feed the monitors only after the
gold pairs."""

from __future__ import annotations

import math
from typing import Any, Protocol

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.task import WeightsTask

from ._reward_loop import (
    Pair,
    RewardModels,
    RMRecipe,
    bare,
    best_worst,
    checked_pairs,
    label_accuracy,
    rm_accuracy,
    rm_scores,
)


def problems() -> Any:
    return param(40, low=1, help="training problems per round (unlabelled: the reward model labels them)")


def samples() -> Any:
    return param(4, low=2, help="k answers per problem; the reward model's best and worst form a pair")


def gold_problems() -> Any:
    return param(12, low=1, help="problems whose checked samples train the first reward model")


def keep() -> Any:
    return param(0.5, low=0, low_open=True, high=1, help="share of the labelled pairs kept (most confident)")


def rm_retrain(
    default: bool = True, help: str = "retrain the reward model each round on gold + the pairs it kept"
) -> Any:
    return param(default, help=help)


def epochs() -> Any:
    return param(1.0, low=0, low_open=True, help="passes over each round's pairs")


class LabellingRecipe(RMRecipe, Protocol):
    """What :func:`labelled_round` reads from (and, ``rm``, writes to) a recipe."""

    current: str
    rm: str
    samples: int
    gold_problems: int
    keep: float
    rm_retrain: bool

    @property
    def task_value(self) -> WeightsTask: ...

    def sample(self, ckpt: str, prompts: list[str], n: int, seed: int) -> list[list[str]]: ...

    def confidence(self, pairs: list[Pair], margins: list[float], mon: dict[str, Any]) -> list[float]: ...


def gold_pairs(r: LabellingRecipe, seed: int, mon: dict[str, Any]) -> list[Pair]:
    """The first reward model's data: right-over-wrong samples of ``gold_problems`` problems from the
    starting checkpoint (the gold solution over a wrong sample where none is right)."""
    task = r.task_value
    qs = task.train_problems(r.gold_problems, seed + 1)
    pairs = checked_pairs(task, qs, r.sample(r.start, [task.prompt(q) for q in qs], r.samples, seed + 1), gold=True)
    mon.update(gold_pairs=len(pairs), generated=mon["generated"] + len(qs) * r.samples)
    return pairs


def labelled_round(r: LabellingRecipe, questions: list[str], seed: int) -> tuple[str, list[dict], dict]:
    """The round's DPO pairs, labelled by the reward model (see the module docstring), and monitors."""
    task, models = r.task_value, RewardModels.of(r)
    prompts = [task.prompt(q) for q in questions]
    samples = r.sample(r.current, prompts, r.samples, seed)
    mon = sample_monitors(questions, samples, task)
    if not r.rm:  # the first round: a reward model from a few gold-checked pairs
        gold = gold_pairs(r, seed, mon)
        models.save_pairs("gold", gold)
        if not gold:
            mon.update(accepted=0, skipped_rm="no gold pairs (every sample right)")
            return "dpo", [], mon
        r.rm = models.fit(gold, "00")
    scores = rm_scores(r.rm, prompts, samples)
    cands = best_worst(prompts, samples, scores)
    pairs = [
        {"question": questions[p], "prompt": prompts[p], "chosen": samples[p][b], "rejected": samples[p][w]}
        for p, b, w, _ in cands
    ]
    conf = r.confidence(pairs, [m for *_, m in cands], mon) if pairs else []
    order = sorted(range(len(pairs)), key=lambda i: -conf[i])
    n = math.ceil(r.keep * len(pairs))
    kept, dropped = [pairs[i] for i in order[:n]], [pairs[i] for i in order[n:]]
    picks, i = [], 0  # the reward model's best sample of each problem
    for q, ss in zip(questions, samples):
        sc, i = scores[i : i + len(ss)], i + len(ss)
        picks.append(task.correct(q, ss[max(range(len(ss)), key=sc.__getitem__)]))
    mon.update(
        rm_acc=rm_accuracy(r.rm, checked_pairs(task, questions, samples)),  # the labelling model, fresh samples
        labelled=len(pairs),
        accepted=len(kept),
        filtered=len(dropped),
        label_acc=label_accuracy(task, kept),
        filtered_acc=label_accuracy(task, dropped),
        gv_gap=sum(picks) / max(1, len(picks)) - mon["pass1"],
    )
    models.save_pairs(f"{r.round:02d}", kept)
    if r.rm_retrain:
        tags = ["gold", *(f"{k:02d}" for k in range(1, r.round + 1))]
        r.rm = models.fit(bare(models.load_pairs(tags)), f"{r.round:02d}")
    return "dpo", bare(kept), mon
