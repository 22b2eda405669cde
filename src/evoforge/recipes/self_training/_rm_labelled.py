"""The round shared by the recipes whose reward model labels the policy's samples for DPO
(``self-evolved-reward``, ``upo``): a first reward model from a few gold-checked pairs, then each round
the policy samples k answers per problem, the reward model's best and worst form a pair, the most
confident ``keep`` share of the pairs is kept (the recipe says what confident means), the policy is
trained by DPO on them, and (``rm_retrain``) the reward model is retrained on the gold pairs plus every
pair it kept so far. Labels feed the monitors only after the gold pairs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors

from ._dpo_round import DPORound
from ._reward_loop import Pair, RewardModelRound, bare, best_worst, checked_pairs, label_accuracy


@dataclass(kw_only=True)
class RMLabelledDPO(RewardModelRound, DPORound):
    """Base (not registered itself): subclasses define :meth:`confidence`."""

    problems: int = param(40, low=1, help="training problems per round (unlabelled: the reward model labels them)")
    samples: int = param(4, low=2, help="k answers per problem; the reward model's best and worst form a pair")
    gold_problems: int = param(12, low=1, help="problems whose checked samples train the first reward model")
    keep: float = param(0.5, low=0, low_open=True, high=1, help="share of the labelled pairs kept (most confident)")
    rm_retrain: bool = param(True, help="retrain the reward model each round on gold + the pairs it kept")
    nll: float = param(0.2, low=0, help="weight of the NLL term on the preferred answer")
    mix_seed: bool = param(False, help="add the warm-start examples to every round's data")  # (both bases have it)
    epochs: float = param(1.0, low=0, low_open=True, help="passes over each round's pairs")

    def confidence(self, pairs: list[Pair], margins: list[float], mon: dict[str, Any]) -> list[float]:
        """How sure the reward model is of each pair's label (higher: surer); may add monitors."""
        raise NotImplementedError

    def gold_pairs(self, seed: int, mon: dict[str, Any]) -> list[Pair]:
        """The first reward model's data: right-over-wrong samples of ``gold_problems`` problems from the
        starting checkpoint (the gold solution over a wrong sample where none is right)."""
        T = self.T
        qs = T.train_problems(self.gold_problems, seed + 1)
        pairs = checked_pairs(
            T, qs, self.sample(self.start, [T.prompt(q) for q in qs], self.samples, seed + 1), gold=True
        )
        mon.update(gold_pairs=len(pairs), generated=mon["generated"] + len(qs) * self.samples)
        return pairs

    def build(self, questions, seed, rng):
        T = self.T
        prompts = [T.prompt(q) for q in questions]
        samples = self.sample(self.current, prompts, self.samples, seed)
        mon = sample_monitors(questions, samples, T)
        if not self.rm:  # the first round: a reward model from a few gold-checked pairs
            gold = self.gold_pairs(seed, mon)
            self.save_pairs("gold", gold)
            if not gold:
                mon.update(accepted=0, skipped_rm="no gold pairs (every sample right)")
                return "dpo", [], mon
            self.fit_rm(gold, "00")
        scores = self.rm_scores(prompts, samples)
        cands = best_worst(prompts, samples, scores)
        pairs = [
            {"question": questions[p], "prompt": prompts[p], "chosen": samples[p][b], "rejected": samples[p][w]}
            for p, b, w, _ in cands
        ]
        conf = self.confidence(pairs, [m for *_, m in cands], mon) if pairs else []
        order = sorted(range(len(pairs)), key=lambda i: -conf[i])
        n = math.ceil(self.keep * len(pairs))
        kept, dropped = [pairs[i] for i in order[:n]], [pairs[i] for i in order[n:]]
        picks, i = [], 0  # the reward model's best sample of each problem
        for q, ss in zip(questions, samples):
            sc, i = scores[i : i + len(ss)], i + len(ss)
            picks.append(T.correct(q, ss[max(range(len(ss)), key=sc.__getitem__)]))
        mon.update(
            rm_acc=self.rm_accuracy(checked_pairs(T, questions, samples)),  # the labelling model, fresh samples
            labelled=len(pairs),
            accepted=len(kept),
            filtered=len(dropped),
            label_acc=label_accuracy(T, kept),
            filtered_acc=label_accuracy(T, dropped),
            gv_gap=sum(picks) / max(1, len(picks)) - mon["pass1"],
        )
        self.save_pairs(f"{self.round:02d}", kept)
        if self.rm_retrain:
            self.fit_rm(
                bare(self.load_pairs(["gold", *(f"{r:02d}" for r in range(1, self.round + 1))])), f"{self.round:02d}"
            )
        return "dpo", bare(kept), mon
