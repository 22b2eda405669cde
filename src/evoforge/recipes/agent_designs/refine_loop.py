"""``refine-loop``: the refine / execute / evaluate / modify loop of a multi-agent refinement system
(Yuksel & Sawaf, 2024) over one agent's code. Each iteration an evaluation agent reads the best
agent's execution results and writes hypotheses for improvement; a modification agent applies each
hypothesis to the code (one variant per hypothesis); the variants are executed on the check items;
the best variant replaces the best agent only if it scores higher by ``min_gain``. The loop ends when
``patience`` iterations in a row bring no improvement.

Differs from the paper: its refinement, execution, evaluation and documentation agents and its
qualitative criteria (clarity, relevance) are reduced to two model roles and the task's score; the
"documentation" is the iteration log in ``report``."""

from __future__ import annotations

import re
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

from ._agent_calls import Calls
from ._agent_prompts import hypotheses_prompt, modify_prompt

FALLBACK = "Fix the mistakes shown in the execution results."


@register("refine-loop")
@dataclass(kw_only=True)
class RefineLoop(Recipe):
    summary = "Iterative refinement: hypotheses from execution results, one modified agent each, keep the best"
    genomes = ("agent",)
    needs_model = True
    default_budget = 20
    eval_timeout = 600.0

    batch_size: int = param(2, low=1, help="hypotheses (and so modified variants) per iteration")
    check_items: int = param(0, low=0, help="search items the variants are executed on (0: the task's default)")
    patience: int = param(3, low=1, help="iterations without improvement before the loop ends")
    min_gain: float = param(0.0, low=0, help="score gain a variant needs to replace the best agent")
    race: bool = param(True, help="stop scoring a variant once it cannot beat the best agent")
    max_tokens: int = param(1024, low=64, help="cap on a model answer")
    temperature: float = param(0.8, low=0, help="sampling temperature")

    ops: MetaOps | None = state()
    calls: Calls | None = state()
    best: dict[str, Any] | None = state()  # {"id", "genome", "score", "feedback"}
    start: dict[str, Any] | None = state()
    log: list[str] = state(factory=list)
    stale: int = state(0)
    description: str = state("")
    call_limit: int = state(6)
    check: list[int] = state(factory=list)
    seed_failure: str = state("")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.ops = MetaOps(max_tokens=self.max_tokens, temperature=self.temperature)
        self.calls = Calls(max_tokens=256, temperature=self.temperature)
        self.description = task.description
        self.call_limit = call_limit_of(task)
        self.check = list(range(self.check_items or items_per_eval_of(task)))
        self.start = design(task.seed)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if self.best is None:
            start, self.start = self.start, None
            return [Candidate(genome={**start, "items": self.check}, operator="seed")] if start else []
        b = self.best
        reply = self.calls.text(
            self.model,
            hypotheses_prompt(self.description, b["genome"], b["score"], b["feedback"], n),
            rng,
            tag="evaluate",
        )
        found = [m.strip() for m in re.findall(r"^\s*(?:[-*•]|\d+[.)])\s*(.+)$", reply or "", flags=re.M) if m.strip()]
        if reply is not None and not found:
            self.calls.unusable["evaluate: no hypotheses listed"] += 1
        out = []
        for hypothesis in (found or [FALLBACK])[:n]:
            prompt = modify_prompt(self.description, b["genome"], b["feedback"], hypothesis, self.call_limit)
            child = self.ops.propose(self.model, prompt, rng, base=b["genome"], tag="modify")
            if child is not None:
                beat = b["score"] + self.min_gain if self.race else None
                genome = raced({**child, "items": self.check}, beat)
                out.append(Candidate(genome=genome, parents=[b["id"]], operator="modify",
                                     info={"hypothesis": hypothesis[:300]}))  # fmt: skip
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        seed = next((c for c in candidates if c.operator == "seed"), None)
        if seed is not None:
            if seed.ok and seed.score is not None:
                self.best = kept(seed)
                self.log.append(f"start: {seed.score:.2f}")
            else:
                self.seed_failure = seed.reason or "failed"
            return
        if self.best is None:
            return
        variants = [c for c in candidates if c.operator == "modify" and c.status != REJECTED]
        ran = [c for c in variants if c.ok and c.score is not None]
        top = max(ran, key=lambda c: (c.score, -c.id), default=None)
        tried = "; ".join(
            f"{c.info.get('hypothesis', '')[:60]!r} -> " + (f"{c.score:.2f}" if c.ok else "failed") for c in variants
        )
        if top is not None and top.score > self.best["score"] + self.min_gain:
            self.log.append(f"improved {self.best['score']:.2f} -> {top.score:.2f} ({tried})")
            self.best, self.stale = kept(top), 0
        else:
            self.log.append(f"no improvement ({tried or 'no usable variant'})")
            self.stale += 1

    def stop_reason(self) -> str | None:
        if self.best is None and self.seed_failure:
            return f"the starting agent failed on the check items: {self.seed_failure}"
        if self.stale >= self.patience:
            return f"converged: no improvement in {self.patience} iterations"
        return None

    def best_agent(self) -> dict[str, Any] | None:
        b = self.best
        return None if b is None else {"id": b["id"], "genome": b["genome"], "fitness": b["score"]}

    def report(self, store: Any) -> str | None:
        if self.best is None:
            return None
        lines = [
            f"best agent: #{self.best['id']} (score {self.best['score']:.3f}) after {len(self.log) - 1} iterations"
        ]
        lines += [f"  {k}. {entry[:160]}" for k, entry in enumerate(self.log[-6:], max(0, len(self.log) - 6))]
        return "\n".join(lines + [self.ops.report(), self.calls.report("hypothesis calls")])
