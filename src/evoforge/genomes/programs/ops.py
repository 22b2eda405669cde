"""The model side of program evolution: :class:`ProgramOps` asks the model, turns answers into child
programs (:mod:`.answers`), rejects AST and embedding-near duplicates before evaluation, tunes constants
without a model call, and counts why proposals were unusable. Prompts: :mod:`.templates`."""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.model_call import ModelCall
from evoforge.llm.errors import BudgetExceededError, ModelError

from .answers import Proposal, from_diff, from_lines, from_rewrite, line_variable
from .blocks import evolve_text
from .constants import constants, perturb_constants
from .near_duplicates import NearDuplicates
from .normalize import ast_key
from .signature import keep_signature
from .templates import SYSTEM, ProgramPrompts, ProgramSpec


def call_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def messages(prompt: str, system: str = SYSTEM) -> list[dict[str, str]]:
    """The chat messages of one program request: the system prompt and the user's prompt."""
    return [{"role": "system", "content": system}, {"role": "user", "content": prompt}]


def call_of(prompt: str, answer: str, system: str = SYSTEM) -> ModelCall:
    """The record of the request :func:`messages` makes and the answer a child came from."""
    return ModelCall.of(messages(prompt, system), answer)


class ProgramOps(ProgramPrompts):
    """Model calls and the turning of answers into child programs; picklable (holds no model)."""

    def __init__(self, spec: ProgramSpec, max_tokens: int, temperature: float, near_duplicate: float = 0.0):
        self.spec, self.max_tokens, self.temperature = spec, max_tokens, temperature
        self.unusable: Counter[str] = Counter()  # why proposals could not be used
        self.calls = 0
        self.keys: set[str] = {ast_key(spec.seed)}  # the seed counts as already proposed
        self.near = NearDuplicates(near_duplicate)
        self.near_seeded = False
        self.idea_order: list[int] = []

    # -- model ---------------------------------------------------------------------------------
    def ask_model(
        self,
        model: Any,
        prompt: str,
        rng: np.random.Generator,
        tag: str,
        max_tokens: int | None = None,
        system: str = SYSTEM,
    ) -> str:
        self.calls += 1
        out = model.chat(
            messages(prompt, system),
            n=1,
            temperature=self.temperature,
            max_tokens=max_tokens or self.max_tokens,
            seed=call_seed(rng),
            tag=tag,
        )
        return out[0].text if out else ""

    def ask_many(self, model: Any, jobs: list[tuple[str, str, str]], rng: np.random.Generator) -> list[str | None]:
        """Send several (prompt, tag, system) requests at once (the model bounds how many are in flight);
        seeds are drawn in job order, so a seed gives the same answers however they interleave. A request
        refused by the run's budget gives None (the others are kept); when every request was refused, or
        one failed otherwise, that error is raised."""
        seeds = [call_seed(rng) for _ in jobs]
        self.calls += len(jobs)
        convs = [messages(prompt, system) for prompt, _, system in jobs]
        chat_each = getattr(model, "chat_each", None)
        if chat_each is None:  # a plain object with chat() (scripted models in tests)
            answers: list[Any] = []
            for conv, seed, (_, tag, _) in zip(convs, seeds, jobs):
                try:
                    out = model.chat(
                        conv, n=1, temperature=self.temperature, max_tokens=self.max_tokens, seed=seed, tag=tag
                    )
                    answers.append(out[0].text if out else "")
                except ModelError as err:
                    answers.append(err)
        else:
            answers = chat_each(
                convs,
                seeds=seeds,
                tags=[t for _, t, _ in jobs],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
            )
        errors = [a for a in answers if isinstance(a, BaseException)]
        if any(not isinstance(e, BudgetExceededError) for e in errors):
            raise next(e for e in errors if not isinstance(e, BudgetExceededError))
        if errors and len(errors) == len(answers):
            raise errors[0]
        return [None if isinstance(a, BaseException) else a for a in answers]

    # -- answers -> programs -------------------------------------------------------------------
    def from_lines(self, parent_program: str, answer: str) -> Proposal:
        """Insert the answer's lines before the final ``return`` (see :func:`.answers.from_lines`)."""
        return from_lines(parent_program, answer, self.spec.function, line_variable(self.spec.line_example))

    def from_rewrite(self, parent_program: str, answer: str) -> Proposal:
        return from_rewrite(parent_program, answer, self.spec.function)

    def from_diff(self, parent_program: str, answer: str) -> Proposal:
        return from_diff(parent_program, answer, self.spec.function)

    def accept(self, proposal: Proposal, near: bool = True) -> str | None:
        """The reason a proposal cannot be evaluated (None when it can): unusable, does not parse, the
        evolved function's signature changed beyond repair (:mod:`.signature`), an AST duplicate of a
        program already proposed, or (``near``) an embedding-near duplicate."""
        if proposal.program is None:
            return proposal.reason or "no program"
        try:
            ast.parse(proposal.program)
        except SyntaxError as err:
            return f"syntax error line {err.lineno}: {err.msg}"
        program, why = keep_signature(proposal.program, self.spec.seed, self.spec.function)
        if why:
            return why
        proposal.program = program
        key = ast_key(proposal.program)
        if key in self.keys:
            return "AST duplicate of an earlier program (not evaluated)"
        self.keys.add(key)
        if near and not self.near.disabled:
            if not self.near_seeded:
                self.near_seeded = True
                self.near.add(self.spec.seed)
            why = self.near.check(proposal.program)
            if why:
                return why
        return None

    def tune(
        self, pool: list[Candidate], rng: np.random.Generator, k: int = 2, scale: float = 0.4
    ) -> tuple[str, Candidate] | None:
        """A child with 1..``k`` numeric constants of a good program changed (no model call): the
        parent is drawn from ``pool`` with weights 1/rank; None when no program has constants."""
        ranked = sorted(
            (c for c in pool if c.ok and isinstance(c.genome, str) and constants(evolve_text(c.genome))),
            key=Candidate.rank_key,
        )
        if not ranked:
            return None
        w = 1.0 / (np.arange(len(ranked)) + 1.0)
        for _ in range(8):
            parent = ranked[int(rng.choice(len(ranked), p=w / w.sum()))]
            step = scale * float(rng.choice([0.4, 1.0, 2.5]))  # small, medium and large steps
            program = perturb_constants(parent.genome, rng, k=int(rng.integers(1, k + 1)), scale=step)
            if program is None:
                continue
            try:
                ast.parse(program)
            except SyntaxError:
                continue
            key = ast_key(program)
            if key in self.keys:
                continue
            self.keys.add(key)
            return program, parent
        return None

    def usable_rewrite(self, parent_program: str, answer: str) -> tuple[str | None, str | None]:
        """The program a rewrite answer yields and None, or None and the recorded reason it is unusable."""
        proposal = self.from_rewrite(parent_program, answer)
        why = self.accept(proposal)
        if why:
            self.record(why)
            return None, why
        return proposal.program, None

    def record(self, reason: str) -> None:
        key = re.sub(r"\(embedding cosine [^)]*\)", "(embedding cosine over the threshold)", reason)
        self.unusable[key.split(":")[0][:70]] += 1

    def stats(self) -> dict[str, Any]:
        return {"calls": self.calls, "unusable": dict(self.unusable)}


def child(
    program: str, parents: list[Candidate], operator: str, *, call: ModelCall | None = None, **info: Any
) -> Candidate:
    """A child program; ``call`` says how it was made (a model request and answer, or ``NO_CALL``)."""
    return Candidate(
        genome=program,
        parents=[p.id for p in parents if p.id >= 0],
        operator=operator,
        info={k: v for k, v in info.items() if v is not None},
        call=call,
    )


def improved(cand: Candidate, parents_by_id: dict[int, Candidate]) -> bool:
    ps = [parents_by_id[i] for i in cand.parents if i in parents_by_id]
    return cand.ok and (not ps or cand.fitness() > max(p.fitness() for p in ps))
