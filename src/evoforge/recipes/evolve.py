"""``evolve``: the default program-evolution recipe, OpenEvolve-class ("AlphaEvolve", Novikov et al.,
2025; OpenEvolve): islands with ring migration plus a MAP-Elites grid over program descriptors; children
by SEARCH/REPLACE diff (a failed diff falls back to a full rewrite), by rewrite, or by crossover with an
inspiration from another island's elite; score, feedback and errors shown to the model; failing
children get one self-repair attempt ("Demystifying GPT Self-Repair", Olausson et al., 2024); a UCB
bandit picks the operator by the improvements it produced. AST duplicates are dropped before evaluation."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..archives import GridArchive, Islands
from ..candidate import REJECTED, Candidate
from ..recipe import Recipe, register
from ..task import Task
from ..tasks._programs import PROGRAM_DESCRIPTOR_BOUNDS
from ._programs import Bandit, ProgramOps, ProgramSpec, child, improved


@register("evolve")
@dataclass
class Evolve(Recipe):
    summary = "program evolution with a model: islands + MAP-Elites, diff/rewrite/crossover, self-repair"
    needs_model = True

    batch_size: int = 2          # children per batch (model calls run one after another)
    islands: int = 2
    island_size: int = 12
    migration_interval: int = 6  # batches between ring migrations
    cells: int = 5               # MAP-Elites cells per descriptor
    explore: float = 0.3         # chance the parent is a random grid elite instead of an island's best
    max_tokens: int = 384        # cap on every answer
    temperature: float = 0.8
    repair: bool = True          # one self-repair attempt per failing child
    fallback: bool = True        # a failed diff is followed by a rewrite call
    state: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature)
        self.pops = Islands(self.islands, self.island_size, self.migration_interval)
        self.grid = GridArchive(task.descriptor_bounds or PROGRAM_DESCRIPTOR_BOUNDS, self.cells)
        self.bandit = Bandit(["diff", "rewrite", "crossover"])
        self.repairs: list[Candidate] = []
        self.known: dict[int, Candidate] = {}
        self.turn = 0
        self.seeded = False

    def _parent(self, island: int, rng: np.random.Generator) -> Candidate | None:
        pop = self.pops.populations[island]
        if self.grid.elites and (not pop or rng.random() < self.explore):
            return self.grid.sample(1, rng)[0]
        if pop:
            return self.pops.select(island, 1, rng, size=2)[0]
        return self.pops.best()

    def _inspiration(self, island: int, parent: Candidate, rng: np.random.Generator) -> list[Candidate]:
        pool = [c for i, pop in enumerate(self.pops.populations) if i != island for c in pop[:3]]
        pool += [c for c in self.grid.elites.values()]
        pool = [c for c in pool if c.id != parent.id and c.genome != parent.genome]
        return [pool[int(rng.integers(len(pool)))]] if pool else []

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        out: list[Candidate] = []
        for _ in range(n):
            if self.repair and self.repairs:
                broken = self.repairs.pop(0)
                answer = self.ops.ask_model(self.model, self.ops.repair_prompt(broken), rng, "repair")
                prop = self.ops.from_rewrite(broken.genome, answer)
                why = self.ops.accept(prop)
                if why:
                    self.ops.record("repair " + why)
                    continue
                out.append(child(prop.program, [broken], "repair", island=broken.info.get("island", 0)))
                continue
            island = self.turn % self.islands
            self.turn += 1
            parent = self._parent(island, rng)
            if parent is None:
                break
            op = self.bandit.choose(rng)
            if op == "diff":
                answer = self.ops.ask_model(self.model, self.ops.diff_prompt(parent, rng), rng, "diff")
                prop = self.ops.from_diff(parent.genome, answer)
                if prop.program is None and self.fallback:
                    answer = self.ops.ask_model(self.model, self.ops.rewrite_prompt(parent, rng), rng, "rewrite")
                    prop = self.ops.from_rewrite(parent.genome, answer)
                    prop.how = "diff-failed->rewrite"
            else:
                insp = self._inspiration(island, parent, rng) if op == "crossover" else []
                answer = self.ops.ask_model(self.model, self.ops.rewrite_prompt(parent, rng, insp), rng, op)
                prop = self.ops.from_rewrite(parent.genome, answer)
            why = self.ops.accept(prop)
            if why:
                self.ops.record(why)
                self.bandit.update(op, 0.0)
                continue
            out.append(child(prop.program, [parent], op, island=island, how=prop.how))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status == REJECTED:
                continue
            if cand.operator == "seed":
                for i in range(self.islands):
                    self.pops.add(cand, i)
            elif cand.ok:
                self.pops.add(cand, int(cand.info.get("island", 0)) % self.islands)
            if cand.ok:
                self.grid.add(cand)
            if cand.operator in self.bandit.pulls:
                self.bandit.update(cand.operator, 1.0 if improved(cand, self.known) else 0.0)
            if not cand.ok and self.repair and cand.operator != "repair" and len(self.repairs) < 4:
                self.repairs.append(cand)
            self.known[cand.id] = cand
        self.pops.tick()

    def archive(self) -> GridArchive:
        return self.grid
