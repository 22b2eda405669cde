"""``eoh``: "Evolution of Heuristics: Towards Efficient Automatic Algorithm Design Using Large Language
Model" (Liu et al., ICML 2024). Each individual is a thought (a one-sentence idea) and its code. Five
prompt strategies: E1 (a new idea unlike the parents'), E2 (the parents' common idea, varied), M1
(modify the idea), M2 (change the parameters), M3 (simplify). Survivors: the best distinct scores."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.programs.ops import ProgramOps, call_of, child
from evoforge.genomes.programs.templates import SYSTEM, ProgramSpec, describe, shown

STRATEGIES = {
    "E1": "Create a new heuristic whose idea is clearly different from all of the above.",
    "E2": "Find the idea these heuristics share, then create a new heuristic based on it but different.",
    "M1": "Modify the heuristic to improve it: change the form of its formula.",
    "M2": "Keep the form of the heuristic but change its parameters and constants.",
    "M3": "Simplify the heuristic: remove the parts that may not help, keep what matters.",
}
_THOUGHT = re.compile(r"\{([^{}]{5,400})\}")


def thought_of(answer: str) -> str | None:
    """The idea written in braces before the code (EoH's format), or the first prose line."""
    head = answer.split("```")[0]
    m = _THOUGHT.search(head)
    if m:
        return " ".join(m.group(1).split())
    for line in head.splitlines():
        if len(line.strip()) > 10 and not line.strip().startswith(("def ", "import ")):
            return line.strip()[:300]
    return None


@register("eoh")
@dataclass(kw_only=True)
class EoH(Recipe):
    summary = "Evolution of Heuristics: thought + code, strategies E1 E2 M1 M2 M3"
    genomes = ("program",)
    needs_model = True
    follows_concurrency = "batch_size"

    batch_size: int = param(2, low=1, help="model children per batch")
    population: int = param(6, low=1, help="heuristics kept (distinct scores, best first)")
    strategies: str = param("E1,E2,M1,M2,M3", items=tuple(STRATEGIES), help="prompt strategies used in turn")
    max_tokens: int = param(400, low=1, help="cap on every answer")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")

    spec: ProgramSpec | None = state()
    ops: ProgramOps | None = state()
    pop: list[Candidate] = state(factory=list)
    names: list[str] = state(factory=list)  # the strategies, in turn
    turn: int = state(0)
    seeded: bool = state(False)  # SEED has been proposed

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature)
        self.pop = []
        self.names = [s.strip() for s in self.strategies.split(",") if s.strip() in STRATEGIES]
        self.turn, self.seeded = 0, False

    def _pick(self, k: int, rng: np.random.Generator) -> list[Candidate]:
        ranked = sorted(self.pop, key=Candidate.rank_key)
        w = 1.0 / (np.arange(len(ranked)) + 1 + len(ranked))  # rank-based, as in EoH
        idx = rng.choice(len(ranked), size=min(k, len(ranked)), replace=False, p=w / w.sum())
        return [ranked[i] for i in idx]

    def prompt(self, strategy: str, parents: list[Candidate]) -> str:
        text = self.ops.task_line("\n".join(shown(p.genome) for p in parents))
        for i, p in enumerate(parents, 1):
            idea = p.info.get("thought") or "the starting heuristic"
            text += f"Heuristic {i} ({describe(p, 120)}). Idea: {idea}\n```python\n{shown(p.genome)}\n```\n"
        text += (
            f"{STRATEGIES[strategy]}\nFirst write the new idea in one sentence inside braces {{ }}, then "
            f"the function `{self.spec.function}` in one ```python block. No examples."
        )
        return text

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        plans = []  # (strategy, parents): every request of the batch is planned first, then sent together
        for _ in range(n):
            if not self.pop:
                break
            strategy = self.names[self.turn % len(self.names)]
            self.turn += 1
            plans.append((strategy, self._pick(2 if strategy in ("E1", "E2") else 1, rng)))
        jobs = [(self.prompt(strategy, parents), strategy, SYSTEM) for strategy, parents in plans]
        out: list[Candidate] = []
        for (strategy, parents), job, answer in zip(plans, jobs, self.ops.ask_many(self.model, jobs, rng)):
            program = None if answer is None else self.ops.usable_rewrite(parents[0].genome, answer)[0]
            if program is not None:
                call = call_of(job[0], answer, job[2])
                out.append(child(program, parents, strategy, call=call, thought=thought_of(answer)))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        pool = self.pop + [c for c in candidates if c.status != REJECTED and c.ok]
        pool.sort(key=Candidate.rank_key)
        kept, scores = [], set()
        for c in pool:  # EoH keeps individuals with distinct objective values
            key = round(c.fitness(), 10)
            if key not in scores:
                kept.append(c)
                scores.add(key)
        self.pop = kept[: self.population]

    def discarded(self) -> dict[str, int]:
        """Model answers dropped before evaluation (unusable, AST or near duplicates), by reason."""
        return dict(self.ops.unusable) if self.ops is not None else {}
