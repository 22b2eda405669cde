"""Shared machinery of the program-evolution recipes: prompts short enough for a 0.5B model, answers
capped, just the evolved function extracted, tolerant SEARCH/REPLACE edits with a rewrite fallback,
AST-duplicate rejection before evaluation, and bookkeeping of why proposals were unusable."""
from __future__ import annotations

import ast
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..candidate import Candidate
from ..programs import (apply_diff, ast_key, blocks, evolve_text, extract_code, extract_function,
                        function_names, replace_block)
from ..task import Task

SYSTEM = "You are an expert Python programmer. Improve the function you are given. Be brief."
GENERIC_IDEAS = ["change one constant or weight", "add one new term to the formula",
                 "combine two existing terms differently", "handle a special case separately",
                 "make the formula nonlinear (a power, exp or log)", "simplify the code"]
DIFF_FORMAT = ("Reply with only the edit, in this exact format:\n<<<<<<< SEARCH\n(lines copied from the code)\n"
               "=======\n(new lines)\n>>>>>>> REPLACE")


def call_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


@dataclass
class ProgramSpec:
    """What the recipes need to know about a program task."""

    seed: str
    function: str
    description: str
    ideas: list[str]

    @classmethod
    def from_task(cls, task: Task) -> ProgramSpec:
        if not isinstance(task.seed, str):
            raise TypeError(f"program recipes need a program-text SEED, task {task.name!r} has "
                            f"{type(task.seed).__name__}")
        names = function_names(evolve_text(task.seed)) or function_names(task.seed)
        function = task.attr("FUNCTION") or (names[0] if names else "main")
        ideas = list(task.attr("IDEAS") or GENERIC_IDEAS)
        return cls(task.seed, function, task.description or task.name, ideas)


def shown(program: str) -> str:
    """The part of a program a model sees: its evolve blocks."""
    return evolve_text(program).strip("\n")


def describe(cand: Candidate | None, limit: int = 240) -> str:
    """Score and feedback (or failure reason) in one or two short lines."""
    if cand is None:
        return ""
    if cand.ok:
        text = f"score {cand.score:.4g}"
        if cand.feedback:
            text += f"; {cand.feedback}"
    else:
        text = f"FAILED: {cand.reason}"
    return text[:limit]


def merge_code(program: str, code: str, imports: list[str] | None = None) -> str | None:
    """Put the functions of ``code`` into ``program``'s evolve blocks: a function that exists is
    replaced where it is, a new one goes into the last block; missing imports go first in the block."""
    try:
        new_tree = ast.parse(code)
    except SyntaxError:
        return None
    lines = code.splitlines()
    new_funcs = [(n.name, "\n".join(lines[min([n.lineno] + [d.lineno for d in n.decorator_list]) - 1:n.end_lineno]))
                 for n in new_tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not new_funcs:
        return None
    found = blocks(program)
    texts = [b.text for b in found]
    from ..programs import replace_function
    for name, src in new_funcs:
        for i, text in enumerate(texts):
            if name in function_names(text):
                replaced = replace_function(text, name, src + "\n")
                if replaced is not None:
                    texts[i] = replaced
                    break
        else:
            texts[-1] = texts[-1].rstrip("\n") + "\n\n\n" + src + "\n"
    missing = [imp for imp in (imports or []) if imp.strip() and imp.strip() not in program]
    if missing:
        texts[0] = "\n".join(missing) + "\n" + texts[0]
    out = program
    for i in reversed(range(len(found))):
        out = replace_block(out, i, texts[i])
    return out


@dataclass
class Proposal:
    program: str | None
    how: str              # diff, rewrite, diff->rewrite, ...
    reason: str | None = None
    thought: str | None = None


class ProgramOps:
    """Model calls and the turning of answers into child programs; picklable (holds no model)."""

    def __init__(self, spec: ProgramSpec, max_tokens: int, temperature: float):
        self.spec, self.max_tokens, self.temperature = spec, max_tokens, temperature
        self.unusable: Counter[str] = Counter()  # why proposals could not be used
        self.calls = 0
        self.keys: set[str] = {ast_key(spec.seed)}  # the seed counts as already proposed

    # -- model ---------------------------------------------------------------------------------
    def ask_model(self, model: Any, prompt: str, rng: np.random.Generator, tag: str,
                  max_tokens: int | None = None, system: str = SYSTEM) -> str:
        self.calls += 1
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        out = model.chat(messages, n=1, temperature=self.temperature, max_tokens=max_tokens or self.max_tokens,
                         seed=call_seed(rng), tag=tag)
        return out[0].text if out else ""

    # -- prompts -------------------------------------------------------------------------------
    def header(self, parent: Candidate) -> str:
        return (f"Task: {self.spec.description}\nCurrent code ({describe(parent)}):\n"
                f"```python\n{shown(parent.genome)}\n```\n")

    def idea(self, rng: np.random.Generator) -> str:
        return self.spec.ideas[int(rng.integers(len(self.spec.ideas)))]

    def rewrite_prompt(self, parent: Candidate, rng: np.random.Generator, inspirations: list[Candidate] = (),
                       extra: str = "") -> str:
        text = self.header(parent)
        for insp in inspirations[:1]:
            text += f"A different version ({describe(insp, 100)}):\n```python\n{shown(insp.genome)}\n```\n"
        text += extra
        text += (f"Idea to try: {self.idea(rng)}.\nWrite the improved `{self.spec.function}` with the same "
                 f"signature. Reply with one ```python block only, no examples.")
        return text

    def diff_prompt(self, parent: Candidate, rng: np.random.Generator, extra: str = "") -> str:
        return self.header(parent) + extra + f"Idea to try: {self.idea(rng)}.\n{DIFF_FORMAT}"

    def repair_prompt(self, child: Candidate) -> str:
        return (f"Task: {self.spec.description}\nThis code fails:\n```python\n{shown(child.genome)}\n```\n"
                f"Error: {(child.reason or '')[:300]}\nFix the error. Reply with the corrected "
                f"`{self.spec.function}` in one ```python block only.")

    # -- answers -> programs -------------------------------------------------------------------
    def from_rewrite(self, parent_program: str, answer: str) -> Proposal:
        got = extract_function(answer, self.spec.function)
        if not got.ok:
            other = extract_code(answer)  # helper-only answers (e.g. max_radii) are still usable
            if other.ok and any(n in function_names(evolve_text(parent_program)) for n in function_names(other.code)):
                got = other
            else:
                return Proposal(None, "rewrite", f"rewrite: {got.reason}")
        program = merge_code(parent_program, got.code, got.imports)
        if program is None:
            return Proposal(None, "rewrite", "rewrite: could not merge the code into the program")
        return Proposal(program, "rewrite")

    def from_diff(self, parent_program: str, answer: str) -> Proposal:
        result = apply_diff(parent_program, answer)
        if result.ok:
            return Proposal(result.source, "diff")
        # a small model often writes the whole function instead of an edit: use it
        alt = self.from_rewrite(parent_program, answer)
        if alt.program is not None:
            return Proposal(alt.program, "diff-as-rewrite")
        return Proposal(None, "diff", f"diff: {result.reason}"[:300])

    def accept(self, proposal: Proposal) -> str | None:
        """The reason a proposal cannot be evaluated (None when it can): unusable, does not parse,
        or an AST duplicate of a program already proposed."""
        if proposal.program is None:
            return proposal.reason or "no program"
        try:
            ast.parse(proposal.program)
        except SyntaxError as err:
            return f"syntax error line {err.lineno}: {err.msg}"
        key = ast_key(proposal.program)
        if key in self.keys:
            return "AST duplicate of an earlier program (not evaluated)"
        self.keys.add(key)
        return None

    def record(self, reason: str) -> None:
        self.unusable[reason.split(":")[0][:60]] += 1

    def stats(self) -> dict[str, Any]:
        return {"calls": self.calls, "unusable": dict(self.unusable)}


class Bandit:
    """UCB1 over named arms; reward 1 for a child that beat its parent, else 0."""

    def __init__(self, arms: list[str], c: float = 1.0):
        self.arms, self.c = list(arms), c
        self.pulls = {a: 0 for a in arms}
        self.wins = {a: 0.0 for a in arms}

    def choose(self, rng: np.random.Generator) -> str:
        untried = [a for a in self.arms if self.pulls[a] == 0]
        if untried:
            return untried[int(rng.integers(len(untried)))]
        total = sum(self.pulls.values())
        scores = [self.wins[a] / self.pulls[a] + self.c * math.sqrt(math.log(total) / self.pulls[a]) for a in self.arms]
        return self.arms[int(np.argmax(scores))]

    def update(self, arm: str, reward: float) -> None:
        if arm in self.pulls:
            self.pulls[arm] += 1
            self.wins[arm] += reward


def child(program: str, parents: list[Candidate], operator: str, **info: Any) -> Candidate:
    return Candidate(genome=program, parents=[p.id for p in parents if p.id >= 0], operator=operator,
                     info={k: v for k, v in info.items() if v is not None})


def improved(cand: Candidate, parents_by_id: dict[int, Candidate]) -> bool:
    ps = [parents_by_id[i] for i in cand.parents if i in parents_by_id]
    return cand.ok and (not ps or cand.fitness() > max(p.fitness() for p in ps))
