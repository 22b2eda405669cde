"""``dgm``: an open-ended archive of agents in the manner of the Darwin Gödel Machine (Zhang, Hu, Lu,
Lange & Clune, 2025). A parent is drawn by score and by how few children it has; the model reads its
code and its failures and writes an improved agent; the child is evaluated in stages: on
``first_items`` search items, then, if it scores at least ``pass_share`` there, on the full set.
Every fully evaluated child joins the archive (no child replaces its parent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.archive import Entry, OpenArchive
from evoforge.genomes.agents.genome import design
from evoforge.genomes.agents.operators import MetaOps
from evoforge.genomes.agents.racing import raced
from evoforge.genomes.agents.task import call_limit_of, items_per_eval_of
from evoforge.genomes.agents.templates import improve_prompt


@register("dgm")
@dataclass(kw_only=True)
class Dgm(Recipe):
    summary = "Darwin-Gödel-Machine-style open-ended archive: parents by score and few children, staged evaluation"
    genomes = ("agent",)
    needs_model = True
    default_budget = 30
    eval_timeout = 600.0

    batch_size: int = param(2, low=1, help="candidates per batch: full evaluations waiting, then new children")
    first_items: int = param(2, low=1, help="search items of the first evaluation stage")
    full_items: int = param(0, low=0, help="search items of the full stage (0: the task's default)")
    pass_share: float = param(0.5, low=0, high=1, help="first-stage score a child needs for the full stage")
    sharpness: float = param(10.0, low=0, help="how strongly parent choice follows score (sigmoid slope)")
    midpoint: float = param(0.5, low=0, high=1, help="score at which the sigmoid is one half")
    max_tokens: int = param(1024, low=64, help="cap on a model answer")
    temperature: float = param(0.8, low=0, help="sampling temperature")
    race: bool = param(True, help="stop a full evaluation once the child cannot beat the archive's best")

    ops: MetaOps | None = state()
    open_archive: OpenArchive | None = state()
    renamed_fields: ClassVar[dict[str, str]] = {"archive": "open_archive"}
    staged: list[tuple[int, dict[str, Any]]] = state(factory=list)  # (id, design) passed stage one
    description: str = state("")
    call_limit: int = state(6)
    full: int = state(6)
    stage_failures: int = state(0)
    seed_failure: str = state("")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.ops = MetaOps(max_tokens=self.max_tokens, temperature=self.temperature)
        self.open_archive = OpenArchive(self.sharpness, self.midpoint)
        self.description = task.description
        self.call_limit = call_limit_of(task)
        self.full = self.full_items or items_per_eval_of(task)
        self.staged = [(-1, design(task.seed))]

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        out: list[Candidate] = []
        while self.staged and len(out) < n:
            parent, genome = self.staged.pop(0)
            op = "seed" if parent < 0 else "full-eval"
            out.append(
                Candidate(
                    genome=raced({**genome, "items": list(range(self.full))}, self.incumbent()),
                    parents=[parent] if parent >= 0 else [],
                    operator=op,
                )
            )
        while len(out) < n and self.open_archive.entries:
            parent = self.open_archive.choose(rng)
            prompt = improve_prompt(self.description, parent.genome, parent.score, parent.feedback, self.call_limit)
            child = self.ops.propose(self.model, prompt, rng, base=parent.genome, tag="improve")
            if child is None:
                break
            out.append(
                Candidate(
                    genome={**child, "items": list(range(self.first_items))}, parents=[parent.id], operator="improve"
                )
            )
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status == REJECTED:
                continue
            if cand.operator == "improve":
                if cand.ok and (cand.score or 0.0) >= self.pass_share:
                    self.staged.append((cand.id, design(cand.genome)))
                else:
                    self.stage_failures += 1
            elif cand.ok and cand.score is not None:
                self.open_archive.add(Entry(cand.id, design(cand.genome), float(cand.score), cand.feedback or ""))
            elif cand.operator == "seed":
                self.seed_failure = cand.reason or "failed"

    def incumbent(self) -> float | None:
        """The score a full evaluation is raced against: the archive's best (None: no race)."""
        best = self.open_archive.best() if self.race and self.open_archive else None
        return None if best is None else best.score

    def stop_reason(self) -> str | None:
        if self.open_archive is not None and not self.open_archive.entries and not self.staged and self.seed_failure:
            return f"the seed agent failed, so the archive is empty: {self.seed_failure}"
        return None

    def archive(self) -> OpenArchive | None:
        """The open-ended archive: every child that passed its evaluation."""
        return self.open_archive

    def best_agent(self) -> dict[str, Any] | None:
        best = self.open_archive.best() if self.open_archive else None
        return None if best is None else {"id": best.id, "genome": best.genome, "fitness": best.score}

    def report(self, store: Any) -> str | None:
        if self.open_archive is None:
            return None
        entries, stopped = len(self.open_archive.entries), self.stage_failures
        lines = [f"archive: {entries} agents; {stopped} children stopped at the first stage"]
        for e in sorted(self.open_archive.entries, key=lambda e: -e.score)[:5]:
            lines.append(f"  #{e.id:<4} score {e.score:.3f}  children {e.children}  {e.genome.get('name') or ''}")
        return "\n".join(lines + [self.ops.report()])
