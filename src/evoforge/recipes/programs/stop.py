"""``stop``: "Self-Taught Optimizer (STOP): Recursively Self-Improving Code Generation" (Zelikman et al.,
2023). An *improver* is a program ``improve(solution, ask, utility, budget, rng) -> solution`` that uses a
language model (``ask``) and a utility to improve a solution. Each batch, the current improver is run on
the best solution of the task; every ``meta_every`` batches the improver is run on *its own source*,
with a meta-utility (how much the candidate improver improves the task's best solution), and the new
improver replaces the old one when it does better.

Improvers are untrusted model-written code, so they run in the sandbox; their ``ask`` and ``utility``
calls are served by the parent by replay: the improver runs until it asks something not yet answered
(the run stops there), the parent answers (a model call or an evaluation) and runs it again from the
start with one more answer. The rng an improver gets is seeded, so replays agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task, load_task
from evoforge.genomes.programs import extract_code, function_names
from evoforge.genomes.programs.ops import ProgramOps, child
from evoforge.genomes.programs.templates import ProgramSpec
from evoforge.isolation.program_sandbox import run_program

SEED_IMPROVER = '''import re

FENCE = "`" * 3  # built, so that this source holds no fence of its own when it is shown to a model


def improve(solution, ask, utility, budget, rng):
    """Ask the model for better versions of `solution`; keep the best by `utility`."""
    best, best_score = solution, utility(solution)
    for _ in range(budget):
        prompt = ("Improve this Python code so that it scores higher (score now: " + str(best_score) + ").\\n"
                  + FENCE + "python\\n" + shown(best) + "\\n" + FENCE + "\\n"
                  "Change one thing. Reply with the whole improved code in one " + FENCE + "python block.")
        code = first_block(ask(prompt))
        if code:
            score = utility(code)
            if score is not None and (best_score is None or score >= best_score):  # ties: move on
                best, best_score = code, score
    return best


def first_block(text):
    """The code in the answer's fenced block (to its last fence), or None."""
    m = re.search(FENCE + r"(?:python)?\\n(.*)" + FENCE, text or "", re.S)  # greedy: to the last fence
    m = m or re.search(FENCE + r"(?:python)?\\n(.*)$", text or "", re.S)  # an answer cut off
    return m.group(1) if m else None


def shown(program):
    """The evolvable part of a program (between EVOLVE-BLOCK markers), or all of it."""
    m = re.search(r"# EVOLVE-BLOCK-START\\n(.*?)# EVOLVE-BLOCK-END", program, re.S)
    return (m.group(1) if m else program).strip("\\n")
'''

HARNESS = '''
import random

class BudgetSpent(Exception):
    """The improver asked more often than its budget allows."""

class _Need(BaseException):
    pass

def run(program, inputs):
    answers = list(inputs["answers"])
    asked = [0]
    def next_answer(kind, arg):
        if answers:
            got_kind, value = answers.pop(0)
            if got_kind != kind:
                raise RuntimeError(f"improver is not deterministic: replay expected {got_kind}, got {kind}")
            return value
        raise _Need([kind, arg])
    def ask(prompt):
        if not isinstance(prompt, str):
            raise TypeError("ask() takes a prompt string")
        asked[0] += 1
        if asked[0] > inputs["budget"]:
            raise BudgetSpent(f"more than {inputs['budget']} model calls")
        return next_answer("ask", prompt[:6000])
    def utility(solution):
        if not isinstance(solution, str):
            return None
        return next_answer("utility", solution[:20000])
    try:
        out = program.improve(inputs["solution"], ask, utility, inputs["budget"], random.Random(inputs["seed"]))
    except _Need as need:
        return {"need": need.args[0]}
    return {"result": out if isinstance(out, str) else None}
'''


@register("stop")
@dataclass(kw_only=True)
class STOP(Recipe):
    summary = "Self-Taught Optimizer: an improver program (sandboxed) improves solutions, then itself"
    genomes = ("program",)
    needs_model = True

    batch_size: int = param(1, low=1, help="batches hold the improver's answer and the programs it tried")
    budget: int = param(2, low=1, help="model calls an improver may make per run")
    meta_every: int = param(3, low=0, help="batches between self-improvement steps (0: never)")
    meta_budget: int = param(1, low=1, help="model calls of the improver when it improves itself")
    max_tokens: int = param(384, low=1, help="cap on every answer")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")
    improver_timeout: float = param(20.0, low=0, low_open=True, help="seconds per sandboxed improver run")
    max_rounds: int = param(40, low=1, help="replay rounds per improver run")

    spec: ProgramSpec | None = state()
    ops: ProgramOps | None = state()
    _task: Task | None = state()  # not pickled: reloaded from task_ref on resume
    task_ref: str = state("")
    task_options: dict[str, Any] = state(factory=dict)
    improver: str = state(SEED_IMPROVER)  # the current improver's source
    improvers: list[dict[str, Any]] = state(factory=list)  # every adopted improver
    best: Candidate | None = state()
    scores: dict[str, float | None] = state(factory=dict)  # utility cache: program text -> score
    batches: int = state(0)
    seeded: bool = state(False)  # SEED has been proposed
    log: list[str] = state(factory=list)
    tried: list[str] = state(factory=list)  # programs the improver's utility saw in the current run
    meta_at: int = state(-1)  # the batch of the last self-improvement step

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_task", None)  # reloaded from task_ref on resume
        return state

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.spec = ProgramSpec.from_task(task)
        self.ops = ProgramOps(self.spec, self.max_tokens, self.temperature)
        self._task = task
        self.task_ref, self.task_options = task.ref, dict(getattr(task, "options", {}) or {})
        self.improver = SEED_IMPROVER
        self.improvers = [{"batch": 0, "meta_score": None, "source": SEED_IMPROVER}]
        self.best, self.scores = None, {}
        self.batches, self.seeded = 0, False
        self.log, self.tried = [], []

    # -- the parent side of an improver run ------------------------------------------------------
    def task(self) -> Task:
        if self._task is None:
            self._task = load_task(self.task_ref, self.task_options)
        return self._task

    def materialize(self, text: str, base: str) -> str | None:
        """A whole program from what an improver returned: a program with markers as it is, else the
        function(s) merged into ``base``."""
        if "EVOLVE-BLOCK-START" in text:
            return text
        prop = self.ops.from_rewrite(base, "```python\n" + text + "\n```")
        return prop.program

    def score(self, text: str, base: str) -> float | None:
        program = self.materialize(text, base)
        if program is None:
            return None
        self.tried.append(program)
        if program not in self.scores:
            try:
                self.scores[program] = float(self.task().evaluate(program)["score"])
            except Exception:  # a failing program has no utility
                self.scores[program] = None
        return self.scores[program]

    def run_improver(
        self,
        source: str,
        solution: str,
        utility: Callable[[str], float | None],
        budget: int,
        rng: np.random.Generator,
        tag: str,
    ) -> tuple[str | None, str]:
        """Run improver ``source`` on ``solution`` (sandboxed, by replay); (result or None, what happened)."""
        answers: list[list[Any]] = []
        seed = int(rng.integers(0, 2**31 - 1))
        for _ in range(self.max_rounds):
            inputs = {"answers": answers, "solution": solution, "budget": budget, "seed": seed}
            r = run_program(
                source,
                HARNESS,
                inputs,
                timeout=self.improver_timeout,
                memory_mb=1024,
                preload=("re", "random"),
                max_output=2000,
            )
            if not r.ok:
                return None, f"improver failed: {r.feedback(300)}"
            value = r.value or {}
            if "need" not in value:
                return value.get("result"), "done"
            kind, arg = value["need"]
            if kind == "ask":
                answers.append(["ask", self.ops.ask_model(self.model, arg, rng, tag)])
            else:
                answers.append(["utility", utility(arg)])
        return None, f"improver stopped after {self.max_rounds} rounds"

    # -- ask / tell ------------------------------------------------------------------------------
    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if not self.seeded:
            self.seeded = True
            return [Candidate(genome=self.spec.seed, operator="seed")]
        if self.best is None:
            return []
        base = self.best.genome
        if self.meta_every and self.batches and self.batches % self.meta_every == 0 and self.meta_at != self.batches:
            self.meta_at = self.batches
            self.self_improve(base, rng)
        self.tried = []
        result, how = self.run_improver(self.improver, base, lambda t: self.score(t, base), self.budget, rng, "improve")
        self.log.append(f"batch {self.batches}: {how}")
        program = self.materialize(result, base) if result else None
        # the improver's answer first, then every other program it tried (all recorded in the run)
        out = []
        for i, prog in enumerate([program] + self.tried):
            why = self.ops.accept(_proposal(prog), near=False) if prog else how
            if why:
                if i == 0:
                    self.ops.record(why)
                continue
            out.append(
                child(prog, [self.best], "improve" if i == 0 else "improve-tried", improver=len(self.improvers) - 1)
            )
        return out

    def meta_utility(self, improver_source: str, base: str, rng: np.random.Generator) -> float | None:
        """How much ``improver_source`` improves ``base`` (with ``budget`` calls); None if it fails."""
        if "def improve" not in improver_source or "improve" not in function_names(improver_source):
            return None
        base_score = self.score(base, base)
        out, _ = self.run_improver(improver_source, base, lambda t: self.score(t, base), self.budget, rng, "meta")
        got = self.score(out, base) if out else None
        if got is None or base_score is None:
            return None
        return got - base_score

    def self_improve(self, base: str, rng: np.random.Generator) -> None:
        """Run the improver on its own source with the meta-utility; adopt a better improver."""

        def utility(source: str) -> float | None:
            code = extract_code("```python\n" + source + "\n```")
            return self.meta_utility(code.code, base, rng) if code.ok else None

        incumbent = self.improvers[-1].get("meta_score")
        new, how = self.run_improver(self.improver, self.improver, utility, self.meta_budget, rng, "self-improve")
        if not new or new.strip() == self.improver.strip():
            self.log.append(f"self-improvement at batch {self.batches}: no new improver ({how})")
            return
        score = utility(new)
        if score is not None and (incumbent is None or score >= incumbent):
            self.improver = new
            self.improvers.append({"batch": self.batches, "meta_score": score, "source": new})
            self.log.append(f"self-improvement at batch {self.batches}: new improver (meta-utility {score:+.4g})")
        else:
            self.log.append(f"self-improvement at batch {self.batches}: candidate improver not better ({score})")

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for c in candidates:
            if c.status == REJECTED or not c.ok:
                continue
            if isinstance(c.genome, str):
                self.scores.setdefault(c.genome, c.score)
            if self.best is None or c.fitness() > self.best.fitness():
                self.best = c
        self.batches += 1


def _proposal(program: str | None):
    from evoforge.genomes.programs.answers import Proposal

    return Proposal(program, "improve", None if program else "improver returned nothing usable")


__all__ = ["HARNESS", "SEED_IMPROVER", "STOP"]
