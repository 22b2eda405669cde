"""Promptbreeder, from "Promptbreeder: Self-Referential Self-Improvement via Prompt Evolution"
(Fernando et al., 2023): a population of units (task prompt + few-shot demos + mutation prompt),
binary tournaments in which the loser is replaced by a mutant of the winner, and nine operator kinds
(zero/first-order direct mutation, EDA and ranked EDA, lineage-based, zero/first-order hypermutation of
the mutation prompt, Lamarckian, crossover, context shuffling). Added here: GEPA-style reflection on the
evaluator's text feedback about failures, and optional instance-level Pareto parent selection.

Fitness is accuracy on a random minibatch of train items drawn from the run's generator (all children
of a batch share one); a unit's fitness accumulates over every evaluation of the same prompt. When the
metric-call budget is nearly spent, a two-stage race on one fixed set of ``validate_items`` train items
(reserved from the budget, as GEPA's valset is): the ``validate_top`` best prompts and the seed on its
first half, the ``finalists`` best of them on the second; the run's answer, :meth:`best_prompt`, is the
finalist with the best score on the whole set (else the best smoothed accuracy). A race because the
minibatch leaders are mostly lucky draws: re-scoring only the top three on 24 items once picked a prompt
that held out at 0.535 on ``sentiment``. Many candidates on few items each (16 units, minibatches of
4), because a small task model's prompt landscape is rugged: which demos and system prompt land decides
accuracy (0.47 to 0.94 on ``sentiment``), and a run that never samples a good region cannot be saved by
the race; on 200 items outside train and test, over 7 seeds, this held out at 0.855 mean (median
0.900) against 0.788 (0.785) with 8 units on minibatches of 8, better on 4 of the 7 seeds
(``benchmarks/promptbreeder_dev.py``). ``max_metric_calls`` (items
scored) ends proposal when spent; hold-out scoring is left to the caller (``split="test"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.model_call import NO_CALL
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.prompts.evaluation import metric_calls_of, minibatch, prompt_key, task_facts
from evoforge.genomes.prompts.genome import MUTATION_PROMPTS, make_unit, task_view
from evoforge.genomes.prompts.operators import OPERATORS, Mutator, draw_demo
from evoforge.genomes.prompts.pareto import InstanceFront


@register("promptbreeder")
@dataclass(kw_only=True)
class Promptbreeder(Recipe):
    summary = "prompt evolution: tournaments of (task prompt, demos, mutation prompt) units, 11 operators"
    genomes = ("prompt",)
    needs_model = True
    dedupe = False
    eval_timeout = 900.0

    population: int = param(16, low=1, help="units in the population")
    minibatch: int = param(4, low=1, help="train items per fitness evaluation (GEPA's default is 3)")
    batch_size: int = param(4, low=1, help="children per batch (one shared minibatch)")
    selection: str = param(
        "tournament",
        choices=("tournament", "pareto"),
        help="binary tournament (Promptbreeder) or instance-level Pareto parents",
    )
    operators: str = param("all", choices=("all",), items=tuple(OPERATORS), help="the mutation operators used")
    init_demos: int = param(2, low=0, help="demos in the initial units (context shuffling changes them)")
    max_demos: int = param(4, low=0, help="most demos a unit holds")
    max_metric_calls: int = param(0, low=0, help="stop proposing after this many scored items (0: no limit)")
    validate_top: int = param(6, low=1, help="at the end, race this many prompts (the seed among them) on half of ...")
    validate_items: int = param(24, low=0, help="... one fixed set of train items (0 turns validation off), and ...")
    finalists: int = param(2, low=0, help="... this many of them on the other half (0: one stage, all items)")
    temperature: float = param(0.9, low=0, help="sampling temperature of mutation calls")

    description: str = state("")  # the task's description
    train: list[tuple[str, str]] = state(factory=list)  # the task's train pairs
    ops: list[str] = state(factory=list)  # the operators in use
    members: list[dict[str, Any]] = state(factory=list)  # {"id", "unit"}: the population
    stats: dict[str, list[float]] = state(factory=dict)  # prompt key -> [correct, scored]
    units: dict[str, dict[str, Any]] = state(factory=dict)  # prompt key -> unit (for best_prompt)
    feedback: dict[int, str] = state(factory=dict)  # member id -> the evaluator's text on its failures
    workings: list[tuple[str, str]] = state(factory=list)  # correct (input, output) pairs, for lamarckian
    lineage: list[str] = state(factory=list)  # successive best instructions
    front: InstanceFront | None = state()
    metric_calls: int = state(0)  # items scored so far
    operator_calls: int = state(0)
    fallbacks: int = state(0)
    pending_init: list[dict[str, Any]] = state(factory=list)  # initial units not yet proposed
    val_items: list[int] = state(factory=list)  # the validation race's train items
    val_scores: dict[str, float] = state(factory=dict)  # finalists: accuracy on all validation items
    val_half: dict[str, float] = state(factory=dict)  # first stage: accuracy on the first half
    val_stage: int = state(0)  # 0: not started, 1: first half asked, 2: finalists asked
    seed_key: str = state("")
    initial_zero_order: bool = state(True)  # half of the initial prompts are model-written

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.description, self.train, seed = task_facts(task)
        self.ops = list(OPERATORS if self.operators in ("", "all") else [o.strip() for o in self.operators.split(",")])
        self.members, self.stats, self.units, self.feedback = [], {}, {}, {}
        self.workings, self.lineage = [], []
        self.front = InstanceFront()
        self.metric_calls = self.operator_calls = self.fallbacks = 0
        self.pending_init = []
        self.val_items = (
            minibatch(rng, self.validate_items, len(self.train)) if self.train and self.validate_items else []
        )
        self.val_scores, self.val_half = {}, {}
        self.val_stage = 0
        self.seed_key = prompt_key(seed)
        base = make_unit(seed.get("instruction", ""), seed.get("demos", []), MUTATION_PROMPTS[0])
        self.pending_init.append(base)
        for i in range(1, self.population):
            unit = make_unit(base["instruction"], [], MUTATION_PROMPTS[i % len(MUTATION_PROMPTS)])
            for _ in range(min(self.init_demos, self.max_demos) if self.train else 0):
                unit["demos"].append(draw_demo(self.train, unit["demos"], rng))
            self.pending_init.append(unit)
        self.initial_zero_order = True

    # -- budget ----------------------------------------------------------------------------------
    def stop_reason(self) -> str | None:  # the engine asks after every batch
        return self.budget_reason()

    def budget_reason(self) -> str | None:
        """Why proposal has stopped (the metric-call budget), or None."""
        spent = self.metric_calls
        if self.max_metric_calls and self._reserve() and not self.validated:
            return None  # the validation stage is still to come
        if self.max_metric_calls and spent + min(self.minibatch, self.max_metric_calls) > self.max_metric_calls:
            return (
                f"max_metric_calls={self.max_metric_calls} reached ({spent} items scored; "
                f"a minibatch of {self.minibatch} no longer fits)"
            )
        return None

    @property
    def validated(self) -> bool:
        """The whole validation race has been asked for."""
        return self.val_stage == 2 or (self.val_stage == 1 and not self._stages()[1])

    def _stages(self) -> tuple[int, int]:
        """Validation items in the first stage, and finalists (0: a single stage on every item)."""
        items = len(self.val_items)
        if 0 < self.finalists < self.validate_top and items >= 2:
            return items // 2, self.finalists
        return items, 0

    def _reserve(self) -> int:
        """Metric calls kept for the validation race (0 when it would take over half the budget)."""
        first, finalists = self._stages()
        need = self.validate_top * first + finalists * (len(self.val_items) - first)
        return need if self.max_metric_calls and need <= self.max_metric_calls // 2 else 0

    def _room(self, n: int) -> int:
        if not self.max_metric_calls:
            return n
        left = self.max_metric_calls - self._reserve() - self.metric_calls
        return max(0, min(n, left // self.minibatch))

    def _validation(self) -> list[Candidate]:
        """The validation race: the best prompts so far and the seed on the first items, then the
        finalists on the rest."""
        first, finalists = self._stages()
        if self.val_stage == 1:
            self.val_stage = 2
            ranked = sorted(self.val_half, key=lambda k: (-self.val_half[k], -self.fitness(self.units[k]), k))
            return [
                Candidate(
                    genome={**self.units[k], "items": list(self.val_items[first:])},
                    operator="validate",
                    info={"key": k, "stage": 2},
                )
                for k in ranked[:finalists]
            ]
        self.val_stage = 1
        keys = sorted(self.stats, key=lambda k: (-(self.stats[k][0] + 1) / (self.stats[k][1] + 2), k))
        chosen = keys[: max(0, self.validate_top - 1)]
        if self.seed_key in self.units and self.seed_key not in chosen:
            chosen.append(self.seed_key)
        for k in keys:
            if len(chosen) >= self.validate_top:
                break
            if k not in chosen:
                chosen.append(k)
        return [
            Candidate(
                genome={**self.units[k], "items": list(self.val_items[:first])},
                operator="validate",
                info={"key": k, "stage": 1},
            )
            for k in chosen
        ]

    # -- acquire -----------------------------------------------------------------------------------
    def fitness(self, unit: dict[str, Any]) -> float:
        c, t = self.stats.get(prompt_key(unit), (0.0, 0.0))
        return (c + 1.0) / (t + 2.0)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        n = self._room(n)
        if n == 0:
            if self._reserve() and not self.validated and self.stats and not self.pending_init:
                return self._validation()
            return []
        items = minibatch(rng, self.minibatch, len(self.train)) if self.train else None
        mutator = Mutator(
            self.model, self.description, self.train, max_demos=self.max_demos, temperature=self.temperature
        )
        out: list[Candidate] = []
        if self.pending_init:
            take, self.pending_init = self.pending_init[:n], self.pending_init[n:]
            for k, unit in enumerate(take):
                op, call = "init", NO_CALL
                if self.initial_zero_order and k % 2 == 1 and self.model is not None:  # half the initial
                    child, info = mutator.apply("zero_order", unit, [], rng)  # prompts are model-written
                    unit, op, call = child, "init_zero_order", mutator.last_call
                out.append(self._candidate(unit, [], op, items, {}, call))
            self.operator_calls += mutator.calls
            return out
        alive = [m for m in self.members]
        losers: set[int] = set()
        population = [(m["unit"], self.fitness(m["unit"])) for m in alive]
        for _ in range(n):
            winner, loser = self._select(alive, rng, losers)
            ops = [
                o
                for o in self.ops
                if (o != "reflection" or self.feedback.get(winner["id"])) and (o != "lamarckian" or self.workings)
            ]
            op = ops[int(rng.integers(len(ops)))]
            working = self.workings[int(rng.integers(len(self.workings)))] if self.workings else None
            child, info = mutator.apply(
                op,
                winner["unit"],
                population,
                rng,
                lineage=self.lineage,
                feedback=self.feedback.get(winner["id"]),
                working=working,
            )
            if "fallback" in info:
                self.fallbacks += 1
            info["replaces"] = loser["id"] if loser is not None else None
            out.append(self._candidate(child, [winner["id"]], op, items, info, mutator.last_call))
        self.operator_calls += mutator.calls
        return out

    def _candidate(self, unit, parents, op, items, info, call=None) -> Candidate:
        genome = {**task_view(unit), "mutation_prompt": unit["mutation_prompt"]}
        if items is not None:
            genome["items"] = items
        return Candidate(genome=genome, parents=parents, operator=op, info=dict(info), call=call)

    def _select(self, alive, rng, losers):
        if self.selection == "pareto":
            ids = {m["id"] for m in alive}
            pick = self.front.sample(rng, ids)
            winner = next((m for m in alive if m["id"] == pick), None) or alive[int(rng.integers(len(alive)))]
            worst = sorted(
                (m for m in alive if m["id"] not in losers and m is not winner),
                key=lambda m: (self.fitness(m["unit"]), m["id"]),
            )
            loser = worst[0] if worst else None
        else:
            i, j = rng.choice(len(alive), size=2, replace=False) if len(alive) > 1 else (0, 0)
            a, b = alive[int(i)], alive[int(j)]
            winner, loser = (
                (a, b) if (self.fitness(a["unit"]), -a["id"]) >= (self.fitness(b["unit"]), -b["id"]) else (b, a)
            )
            if loser is winner:
                loser = None
        if loser is not None:
            losers.add(loser["id"])
        return winner, loser

    # -- update ------------------------------------------------------------------------------------
    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        best_before = self.best_prompt()
        for cand in candidates:
            self.metric_calls += metric_calls_of(cand)
            if not cand.ok:
                continue
            unit = {
                "instruction": cand.genome.get("instruction", ""),
                "demos": cand.genome.get("demos", []),
                "mutation_prompt": cand.genome.get("mutation_prompt") or MUTATION_PROMPTS[0],
            }
            key = prompt_key(unit)
            if cand.operator == "validate":
                k, score = cand.info.get("key", key), float(cand.score or 0.0)
                first, finalists = self._stages()
                if cand.info.get("stage", 1) == 1 and finalists:
                    self.val_half[k] = score
                elif cand.info.get("stage", 1) == 1:
                    self.val_scores[k] = score
                else:  # a finalist: its accuracy over both halves
                    rest = len(self.val_items) - first
                    self.val_scores[k] = (self.val_half.get(k, 0.0) * first + score * rest) / len(self.val_items)
                continue
            correct = list(cand.metrics.get("correct", []))
            items = list(cand.metrics.get("items", []))
            st = self.stats.setdefault(key, [0.0, 0.0])
            st[0] += sum(correct) if correct else float(cand.score or 0) * max(1, len(items))
            st[1] += len(correct) if correct else max(1, len(items))
            self.units.setdefault(key, task_view(unit))
            self.front.add(cand.id, items, [float(c) for c in correct])
            if cand.feedback and "wrong" in cand.feedback:
                self.feedback[cand.id] = cand.feedback
            outputs = cand.metrics.get("outputs", [])
            for i, ok, text in zip(items, correct, outputs):
                if ok and i < len(self.train):
                    self.workings.append((self.train[i][0], text))
            self.workings = self.workings[-20:]
            member = {"id": cand.id, "unit": unit}
            if cand.operator.startswith("init") or len(self.members) < self.population:
                self.members.append(member)
                continue
            target = cand.info.get("replaces")
            idx = next((k for k, m in enumerate(self.members) if m["id"] == target), None)
            if (
                self.selection == "pareto"
                and idx is not None
                and self.fitness(unit) < self.fitness(self.members[idx]["unit"])
            ):
                continue  # Pareto mode keeps a child only if it is no worse than the member it would replace
            if idx is None:  # its loser is gone already: replace the current worst
                idx = min(
                    range(len(self.members)),
                    key=lambda k: (self.fitness(self.members[k]["unit"]), -self.members[k]["id"]),
                )
            self.feedback.pop(self.members[idx]["id"], None)
            self.members[idx] = member
        best = self.best_prompt()
        if best is not None and best != best_before:
            self.lineage.append(best["instruction"])

    # -- results -----------------------------------------------------------------------------------
    def best_prompt(self) -> dict[str, Any] | None:
        """The evaluated prompt with the best smoothed accuracy ((correct + 1) / (scored + 2))."""
        if not self.stats:
            return None
        if self.val_scores:  # validated: the best on the shared items (ties: the better smoothed accuracy)
            key = max(
                self.val_scores, key=lambda k: (self.val_scores[k], (self.stats[k][0] + 1) / (self.stats[k][1] + 2))
            )
            return dict(self.units[key])
        key = max(self.stats, key=lambda k: ((self.stats[k][0] + 1) / (self.stats[k][1] + 2), self.stats[k][1]))
        return dict(self.units[key])

    def archive(self) -> list[dict[str, Any]]:
        return self.members

    def report(self, store: Any) -> str:
        """Why the validation race did not choose the answer, when it was meant to (one line; "" once
        it did, replacing the line stored before)."""
        if self.val_scores or not (self.validate_items and self.train):
            return ""
        first, finalists = self._stages()
        need = self.validate_top * first + finalists * (len(self.val_items) - first)
        if not self.max_metric_calls:
            why = "it runs at the end of max_metric_calls, which this run does not set (--set max_metric_calls=N)"
        elif not self._reserve():
            why = f"it needs {need} metric calls, more than half of max_metric_calls={self.max_metric_calls}"
        else:
            why = (
                f"it waits for the last {need} of max_metric_calls={self.max_metric_calls} "
                f"({self.metric_calls} spent); a run that another budget (--max-calls, --budget) ends first skips it"
            )
        return f"validation race not run: {why}; the answer is the best smoothed minibatch accuracy"

    def answer(self, store: Any) -> dict[str, Any] | None:
        """The prompt :meth:`best_prompt` chose, scored as the validation race scored it (the seed on
        the same items beside it), or by its smoothed minibatch accuracy when there was no race."""
        best = self.best_prompt()
        if best is None:
            return None
        key, first = prompt_key(best), self._stages()[0]
        out: dict[str, Any] = {"what": "prompt", "genome": best}
        if key in self.val_scores:
            on = f"the validation race's {len(self.val_items)} fixed train items"
            out.update(what="prompt chosen by the validation race", score=self.val_scores[key], score_on=on)
            seed = self.val_scores.get(self.seed_key)
            if seed is None and self.seed_key in self.val_half:
                seed, on = self.val_half[self.seed_key], f"the race's first {first} items, where it was eliminated"
            if seed is not None:
                out["seed"] = {"score": seed, "on": on}
            return out
        correct, scored = self.stats.get(key, (0.0, 0.0))
        out.update(
            what="prompt with the best smoothed minibatch accuracy (no validation race)",
            score=(correct + 1.0) / (scored + 2.0),
            score_on=f"(correct + 1) / (scored + 2) over its {int(scored)} minibatch items",
        )
        return out
