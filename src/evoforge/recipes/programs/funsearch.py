"""``funsearch``: "Mathematical discoveries from program search with large language models"
(Romera-Paredes et al., Nature 2024). Islands of programs; a prompt shows k earlier versions of the
function, worst to best, as ``f_v0 .. f_v{k-1}`` and asks for ``f_v{k}``; programs are sampled within an
island by a softmax over their scores; periodically the weaker half of the islands is reset from the
best ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from evoforge.core.archives import Islands
from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.selection import boltzmann
from evoforge.core.task import Task
from evoforge.genomes.programs.ops import ProgramOps, call_of, child
from evoforge.genomes.programs.templates import SYSTEM, ProgramSpec, shown


@register("funsearch")
@dataclass(kw_only=True)
class FunSearch(Recipe):
    summary = "FunSearch: islands, best-shot prompts with versioned functions, island resets"
    genomes = ("program",)
    needs_model = True
    follows_concurrency = "batch_size"

    batch_size: int = param(2, low=1, help="model children per batch")
    islands: int = param(4, low=1, help="island populations")
    island_size: int = param(20, low=1, help="programs kept per island")
    versions: int = param(2, low=1, help="k earlier versions shown in a prompt")
    softmax_temperature: float = param(
        0.1, low=0, low_open=True, help="of the sampling softmax, on scores normalised to [0, 1] within the island"
    )
    reset_interval: int = param(20, low=0, help="batches between resets of the weaker half of the islands (0: never)")
    max_tokens: int = param(384, low=1, help="cap on every answer")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")

    spec: ProgramSpec | None = state()
    ops: ProgramOps | None = state()
    pops: Islands | None = state(None)  # per island, best first (made in setup)
    turn: int = state(0)  # the island prompted next
    batches: int = state(0)
    seeded: bool = state(False)  # SEED has been proposed

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature)
        self.pops = Islands(self.islands, self.island_size, interval=0, keep_ranked=True)
        self.turn, self.batches, self.seeded = 0, 0, False

    def _sample(self, pop: list[Candidate], k: int, rng: np.random.Generator) -> list[Candidate]:
        shots = boltzmann(pop, k, rng, self.softmax_temperature, normalise=True, replace=False)
        return sorted(shots, key=lambda c: (c.fitness(), c.id))  # worst to best

    def prompt(self, shots: list[Candidate]) -> str:
        name = self.spec.function
        text = self.ops.task_line("\n".join(shown(s.genome) for s in shots)) + "```python\n"
        for i, shot in enumerate(shots):
            code = re.sub(rf"\bdef {re.escape(name)}\(", f"def {name}_v{i}(", shown(shot.genome))
            text += f"{code}\n# score: {shot.score:.4g}\n\n"
        k = len(shots)
        text += (
            f"```\nWrite `{name}_v{k}`, an improved version of `{name}_v{k - 1}` (same arguments). "
            f"Reply with one ```python block only."
        )
        return text

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        plans = []  # (island, shots): every request of the batch is planned first, then sent together
        for _ in range(n):
            island = self.turn % self.islands
            self.turn += 1
            pop = self.pops.populations[island] or max(self.pops.populations, key=len)
            if not pop:
                break
            plans.append((island, self._sample(pop, self.versions, rng)))
        jobs = [(self.prompt(shots), "funsearch", SYSTEM) for _, shots in plans]
        out: list[Candidate] = []
        for (island, shots), job, answer in zip(plans, jobs, self.ops.ask_many(self.model, jobs, rng)):
            program = None if answer is None else self.ops.usable_rewrite(shots[-1].genome, answer)[0]
            if program is not None:
                out.append(child(program, shots, "funsearch", call=call_of(job[0], answer, job[2]), island=island))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.status == REJECTED or not cand.ok:
                continue
            targets = range(self.islands) if cand.operator == "seed" else [int(cand.info.get("island", 0))]
            for i in targets:
                self.pops.add(cand, i)
        self.batches += 1
        if self.reset_interval and self.batches % self.reset_interval == 0 and self.islands > 1:
            order = self.pops.weakest()
            keep = order[self.islands // 2 :]
            for i in order[: self.islands // 2]:
                donor = self.pops.populations[keep[int(rng.integers(len(keep)))]]
                self.pops.refill(i, donor[:1])

    def discarded(self) -> dict[str, int]:
        """Model answers dropped before evaluation (unusable, AST or near duplicates), by reason."""
        return dict(self.ops.unusable) if self.ops is not None else {}
