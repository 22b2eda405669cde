"""``adas``: Meta Agent Search ("Automated Design of Agentic Systems", Hu, Lu & Clune, 2024). A meta
agent is shown the archive of agents found so far (code, text parts, fitness) and writes a new agent
as code; every agent that runs is kept (keep-all archive). Fitness is the median of a bootstrap
distribution of the agent's mean item score. The archive starts with the hand-designed agents
(chain of thought, self-consistency, self-refine, debate, step-back, quality-diversity, roles); an
agent that fails to run gets one repair call that shows the meta agent its error.

Two budget measures beyond the paper: ``seed_scores`` reuses the seed archive's per-item results
scored once on the same items (:mod:`evoforge.genomes.agents.scored`), and ``promote`` scores the
archive's top agent on all search items before it stays on top, so the pick is not the luckiest of
many scores on the same few items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.baselines import baseline, names, standard_parts
from evoforge.genomes.agents.fitness import fitness
from evoforge.genomes.agents.genome import design
from evoforge.genomes.agents.operators import MetaOps
from evoforge.genomes.agents.racing import raced
from evoforge.genomes.agents.scored import load_scores
from evoforge.genomes.agents.task import call_limit_of, evaluation_items, search_items
from evoforge.genomes.agents.templates import meta_prompt, repair_prompt


@register("adas")
@dataclass(kw_only=True)
class Adas(Recipe):
    summary = "Meta Agent Search: a meta agent writes new agents as code from a keep-all archive (bootstrap fitness)"
    genomes = ("agent",)
    needs_model = True
    default_budget = 30
    eval_timeout = 600.0

    batch_size: int = param(2, low=1, help="candidates per batch: baselines first, then one meta-agent call each")
    seeds: str = param(",".join(names()), items=tuple(names()), help="hand-designed agents the archive starts with")
    shown: int = param(6, low=1, help="best archive entries shown to the meta agent")
    repair: bool = param(True, help="one repair call for a new agent that failed to run")
    max_tokens: int = param(1024, low=64, help="cap on a meta-agent answer")
    temperature: float = param(0.8, low=0, help="meta-agent sampling temperature")
    race: bool = param(True, help="stop scoring an agent (seed or new) once it cannot beat the best so far")
    seed_scores: str = param("", help="JSON file of the seed agents' per-item results on these items (not re-scored)")
    promote: bool = param(True, help="the archive's top agent is scored on every search item before it stays on top")

    ops: MetaOps | None = state()
    # every agent that ran: {"id", "genome", "fitness", "correct" (per item), "full" (all search items scored)}
    agents: list[dict[str, Any]] = state(factory=list)
    renamed_fields: ClassVar[dict[str, str]] = {"archive": "agents"}
    queue: list[dict[str, Any]] = state(factory=list)  # seed agents not yet proposed
    broken: list[tuple[int, dict[str, Any], str]] = state(factory=list)  # (id, genome, error) to repair
    description: str = state("")
    call_limit: int = state(6)
    rest: list[int] = state(factory=list)  # search items beyond an evaluation's, scored on promotion
    promoting: int | None = state(None)  # id of the archive entry being promoted

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.ops = MetaOps(max_tokens=self.max_tokens, temperature=self.temperature)
        self.description = task.description
        self.call_limit = call_limit_of(task)
        self.queue = [design(task.seed)] + [baseline(n) for n in self.seeds.split(",") if n]
        evaluated = evaluation_items(task)
        self.rest = list(range(len(evaluated), len(search_items(task)))) if self.promote else []
        if self.seed_scores:
            self.adopt(load_scores(self.seed_scores, evaluated)["agents"])

    def adopt(self, scored: dict[str, dict[str, Any]]) -> None:
        """Seed agents already scored on these items join the archive (ids below 0: not candidates)."""
        adopted = {e["genome"].get("name") for e in self.agents}
        for genome in [g for g in self.queue if g.get("name") in scored]:
            self.queue.remove(genome)  # the task's seed is often one of the hand-designed agents: kept once
            if genome["name"] in adopted:
                continue
            adopted.add(genome["name"])
            correct = [float(c) for c in scored[genome["name"]]["correct"]]
            entry_id = len(self.agents) - 1000  # below 0, in the seeds' order
            f = fitness(correct, seed=abs(entry_id))
            self.agents.append(
                {"id": entry_id, "genome": design(genome), "fitness": f, "correct": correct, "full": False}
            )

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        out: list[Candidate] = []
        top = self.best_agent()
        if top is not None and self.rest and not top.get("full", True) and self.promoting is None:
            self.promoting = top["id"]  # its fitness stands on the evaluation's items only: score the rest
            parents = [top["id"]] if top["id"] >= 0 else []  # adopted seeds (ids below 0) are no candidates
            out.append(Candidate(genome={**top["genome"], "items": self.rest}, parents=parents, operator="promote"))
        beat = self.incumbent()
        while self.queue and len(out) < n:
            out.append(Candidate(genome=raced(self.queue.pop(0), beat), operator="baseline"))
        while self.broken and len(out) < n:
            parent, genome, error = self.broken.pop(0)
            fixed = self.ops.propose(self.model, repair_prompt(genome, error), rng, base=genome, tag="repair")
            if fixed is not None:
                out.append(Candidate(genome=raced(fixed, beat), parents=[parent], operator="repair"))
        while len(out) < n:
            best = sorted(self.agents, key=lambda e: e["fitness"])[-self.shown :]
            found = sorted(best, key=lambda e: e["id"])  # as ADAS shows its archive: in the order found, so
            # consecutive meta prompts share a long prefix that the model reuses
            prompt = meta_prompt(self.description, [(e["genome"], e["fitness"]) for e in found], self.call_limit)
            child = self.ops.propose(self.model, prompt, rng, base={"parts": standard_parts()})
            if child is None:
                break  # the reason is counted; the next batch tries again
            parent = [best[-1]["id"]] if best and best[-1]["id"] >= 0 else []
            out.append(Candidate(genome=raced(child, beat), parents=parent, operator="meta"))
        return out

    def incumbent(self) -> float | None:
        """The score an agent is raced against: the best fitness so far (None: no race)."""
        best = self.best_agent()
        return best["fitness"] if self.race and best is not None else None

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status == REJECTED:
                continue
            if cand.operator == "promote":
                self.promoted(cand)
            elif cand.ok and cand.score is not None:
                correct = [float(c) for c in cand.metrics.get("correct") or [cand.score]]
                f = fitness(correct, seed=cand.id)
                cand.info["fitness"] = f
                self.agents.append({"id": cand.id, "genome": design(cand.genome), "fitness": f, "correct": correct,
                                    "full": not self.rest or bool(cand.metrics.get("raced_out"))})  # fmt: skip
            elif cand.operator == "meta" and self.repair:
                self.broken.append((cand.id, design(cand.genome), cand.reason or "failed"))

    def promoted(self, cand: Candidate) -> None:
        """The promoted entry's fitness now covers every search item (a failed promotion leaves it
        marked full at its old fitness, so it is not retried)."""
        entry = next((e for e in self.agents if e["id"] == self.promoting), None)
        self.promoting = None
        if entry is None:
            return
        entry["full"] = True
        if cand.ok:
            entry["correct"] = entry.get("correct", []) + [float(c) for c in cand.metrics.get("correct") or []]
            entry["fitness"] = fitness(entry["correct"], seed=abs(entry["id"]))
            cand.info["fitness"] = entry["fitness"]

    def best_agent(self) -> dict[str, Any] | None:
        """The archive entry with the highest fitness."""
        return max(self.agents, key=lambda e: e["fitness"], default=None)

    def archive(self) -> list[dict[str, Any]]:
        """Every agent that ran, best first."""
        return sorted(self.agents, key=lambda e: -e["fitness"])

    def report(self, store: Any) -> str | None:
        lines = [f"archive: {len(self.agents)} agents that ran (best first)"]
        for e in self.archive()[:5]:
            lines.append(f"  #{e['id']:<4} fitness {e['fitness']:.3f}  {e['genome'].get('name') or ''}")
        return "\n".join(lines + ([self.ops.report()] if self.ops else []))
