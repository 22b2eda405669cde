"""``godel-agent``: self-referential self-modification in the manner of the Gödel Agent (Yin et al.,
2024). One agent at a time: it is shown its own code, text parts, recent failures and earlier changes,
and rewrites itself; the instruction that drives the rewrite is one of its own parts (``self_modify``),
so it may rewrite how it rewrites itself. Each change is run on a fixed check set of search items; a
change that breaks the agent (it does not load or fails) or scores worse is rolled back, and the
model sees why in its next step.

Differs from the paper: there the agent patches its live Python process (including the
self-modification routine) through tool actions; here the code runs only in the sandbox, so the
rewrite is proposed in the parent and the self-referential part is the ``self_modify`` prompt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.genome import design, kept
from evoforge.genomes.agents.operators import MetaOps
from evoforge.genomes.agents.racing import raced
from evoforge.genomes.agents.task import call_limit_of, items_per_eval_of

from ._agent_prompts import SELF_MODIFY, godel_prompt


@register("godel-agent")
@dataclass(kw_only=True)
class GodelAgent(Recipe):
    summary = "Gödel Agent: the agent reads its own code and failures and rewrites itself; breaking changes roll back"
    genomes = ("agent",)
    needs_model = True
    default_budget = 20
    eval_timeout = 600.0

    batch_size: int = param(1, low=1, help="rewrites proposed per step (the best one that holds is kept)")
    race: bool = param(True, help="stop scoring a rewrite once it cannot beat the current agent")
    check_items: int = param(0, low=0, help="search items of the check set (0: the task's default)")
    memory: int = param(4, low=0, help="earlier changes (kept or rolled back) shown to the agent")
    accept_ties: bool = param(True, help="keep a change that scores the same as the current agent")
    max_tokens: int = param(1024, low=64, help="cap on a rewrite")
    temperature: float = param(0.8, low=0, help="sampling temperature")

    ops: MetaOps | None = state()
    current: dict[str, Any] | None = state()  # {"id", "genome", "score", "feedback"}
    history: list[str] = state(factory=list)
    kept: int = state(0)
    rolled_back: int = state(0)
    description: str = state("")
    call_limit: int = state(6)
    check: list[int] = state(factory=list)
    seed_failure: str = state("")
    start: dict[str, Any] | None = state()  # the starting agent, until it has been run

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.ops = MetaOps(max_tokens=self.max_tokens, temperature=self.temperature)
        self.description = task.description
        self.call_limit = call_limit_of(task)
        self.check = list(range(self.check_items or items_per_eval_of(task)))
        seed = design(task.seed)
        self.start = {**seed, "parts": {"self_modify": SELF_MODIFY, **seed.get("parts", {})}}

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.current is None:
            start, self.start = self.start, None
            return [Candidate(genome={**start, "items": self.check}, operator="seed")] if start else []
        out = []
        cur = self.current
        for _ in range(n):
            prompt = godel_prompt(
                self.description, cur["genome"], cur["score"], cur["feedback"], self.history[-self.memory :],
                self.call_limit,
            )  # fmt: skip
            child = self.ops.propose(self.model, prompt, rng, base=cur["genome"], tag="self-modify")
            if child is not None:
                out.append(
                    Candidate(
                        genome=raced({**child, "items": self.check}, cur["score"] if self.race else None),
                        parents=[cur["id"]],
                        operator="self-modify",
                    )
                )
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.operator == "seed":
                if cand.ok and cand.score is not None:
                    self.current = kept(cand)
                else:
                    self.seed_failure = cand.reason or "failed"
        changes = [c for c in candidates if c.operator == "self-modify" and c.status != REJECTED]
        if not changes or self.current is None:
            return
        old = self.current["score"]
        holding = [
            c
            for c in changes
            if c.ok and c.score is not None and (c.score > old or (self.accept_ties and c.score == old))
        ]
        best = max(holding, key=lambda c: (c.score, -c.id), default=None)
        for cand in changes:
            name = cand.genome.get("name") or f"change #{cand.id}"
            if cand is best:
                self.current, self.kept = kept(cand), self.kept + 1
                self.history.append(f"kept {name}: {old:.2f} -> {cand.score:.2f}")
                continue
            if not cand.ok:
                why = f"it failed: {(cand.reason or 'failed')[:200]}"
            elif cand.score < old or (cand.score == old and not self.accept_ties):
                why = f"it scored {cand.score:.2f} {'<' if cand.score < old else '='} {old:.2f}"
            else:
                why = f"another change scored higher ({cand.score:.2f})"
            self.rolled_back += 1
            self.history.append(f"rolled back {name} ({str(cand.genome.get('thought') or '')[:100]}): {why}")

    def stop_reason(self) -> str | None:
        if self.current is None and self.seed_failure:
            return f"the starting agent failed on the check set: {self.seed_failure}"
        return None

    def best_agent(self) -> dict[str, Any] | None:
        cur = self.current
        return None if cur is None else {"id": cur["id"], "genome": cur["genome"], "fitness": cur["score"]}

    def report(self, store: Any) -> str | None:
        if self.current is None:
            return None
        lines = [f"current agent: #{self.current['id']} (score {self.current['score']:.3f}); "
                 f"{self.kept} changes kept, {self.rolled_back} rolled back"]  # fmt: skip
        lines += [f"  {h[:150]}" for h in self.history[-5:]]
        return "\n".join(lines + [self.ops.report()])
