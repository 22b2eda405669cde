"""Shared machinery of the program-evolution recipes: prompts short enough for a 0.5B model, answers
capped, just the evolved function extracted, tolerant SEARCH/REPLACE edits with a rewrite fallback,
AST-duplicate rejection before evaluation, and bookkeeping of why proposals were unusable."""
from __future__ import annotations

import ast
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..candidate import Candidate
from ..programs import (
    apply_diff,
    ast_key,
    blocks,
    evolve_text,
    extract_code,
    extract_function,
    function_names,
    replace_block,
)
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
    hint: str = ""            # one line on the task's pitfalls (numpy arrays, no `if` on them ...)
    line_example: str = ""    # a one-line edit of `result`; enables the line operator

    @classmethod
    def from_task(cls, task: Task) -> ProgramSpec:
        if not isinstance(task.seed, str):
            raise TypeError(f"program recipes need a program-text SEED, task {task.name!r} has "
                            f"{type(task.seed).__name__}")
        names = function_names(evolve_text(task.seed)) or function_names(task.seed)
        function = task.attr("FUNCTION") or (names[0] if names else "main")
        ideas = list(task.attr("IDEAS") or GENERIC_IDEAS)
        return cls(task.seed, function, task.description or task.name, ideas, str(task.attr("HINT") or ""),
                   str(task.attr("LINE_EXAMPLE") or ""))


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


_ERROR_HINTS = [("truth value of an array", "use np.where(condition, a, b) or a mask times a number, never `if` on an array"),
                ("bitwise_and", "put every comparison in its own parentheses: (gap > 2) * (gap < 8)"),
                ("bitwise_or", "put every comparison in its own parentheses"),
                ("is not defined", "define every name you use inside the function"),
                ("one value per bin", "return one number per bin: an array shaped like `bins`"),
                ("NaN or infinity", "avoid dividing by zero: add a small number to the divisor")]
_SKIP_PREFIXES = ("#", "def ", "import ", "from ", "print(", "```", '"' * 3, "'" * 3)


def result_form(program: str, function: str) -> str | None:
    """``program`` with ``function``'s final ``return EXPR`` split into ``result = EXPR`` and
    ``return result`` (the shape the line operator edits); None when that is not possible."""
    for b in blocks(program):
        try:
            tree = ast.parse(b.text)
        except SyntaxError:
            continue
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.name == function):
                continue
            last = node.body[-1]
            if not isinstance(last, ast.Return) or last.value is None or last.end_lineno is None:
                return None
            if isinstance(last.value, ast.Name) and last.value.id == "result":
                return program
            lines = b.text.split("\n")
            first = lines[last.lineno - 1]
            indent = first[:len(first) - len(first.lstrip())]
            expr = ast.get_source_segment(b.text, last.value)
            if expr is None:
                return None
            tail = lines[last.end_lineno - 1][last.end_col_offset or 0:]
            comment = "  " + tail.strip() if tail.strip().startswith("#") else ""
            if "\n" in expr:
                expr = "(" + " ".join(x.strip() for x in expr.split("\n")) + ")"
            new = [f"{indent}result = {expr}{comment}", f"{indent}return result"]
            text = "\n".join(lines[:last.lineno - 1] + new + lines[last.end_lineno:])
            return replace_block(program, b.index, text)
    return None


def answer_lines(answer: str) -> list[str]:
    """The statement lines of a short answer: fenced code or bare lines, without def/return/import
    lines, prose or comments; ``return X`` becomes ``result = X``."""
    m = re.search(r"```[\w+-]*[^\n]*\n(.*?)(```|$)", answer or "", re.DOTALL)
    text = m.group(1) if m else (answer or "")
    out = []
    for raw in text.replace("\t", "    ").split("\n"):
        line = raw.strip()
        if not line or line.startswith(_SKIP_PREFIXES):
            continue
        if line.startswith("return "):
            line = "result = " + line[len("return "):]
        try:
            ast.parse(line)
        except (SyntaxError, ValueError):
            continue
        if not m and not re.search(r"[=(]", line):  # prose without a fence
            continue
        out.append(line)
    return out


class NearDuplicates:
    """Rejects a program whose embedding (all-MiniLM-L6-v2 of its normalised evolve blocks) has cosine
    similarity >= ``threshold`` with one already proposed: before evaluation, not after. Off when the
    threshold is 0 or the embedding model cannot be had (the reason is kept in ``disabled``)."""

    def __init__(self, threshold: float):
        self.threshold = float(threshold)
        self.vectors: list[np.ndarray] = []
        self.disabled: str | None = None if threshold > 0 else "threshold 0"

    @staticmethod
    def text(program: str) -> str:
        from ..programs import normalize
        try:
            return normalize(evolve_text(program)) or evolve_text(program)
        except Exception:  # noqa: BLE001 - any failure: embed the raw text
            return evolve_text(program)

    def _embed(self, program: str) -> np.ndarray | None:
        if self.disabled:
            return None
        try:
            from ..llm import embed
            return np.asarray(embed([self.text(program)]), dtype=np.float32)[0]
        except Exception as err:  # noqa: BLE001 - no embedding model here: the check is skipped, the run goes on
            self.disabled = f"{type(err).__name__}: {err}"[:200]
            return None

    def add(self, program: str) -> None:
        v = self._embed(program)
        if v is not None:
            self.vectors.append(v)

    def check(self, program: str) -> str | None:
        """The reason ``program`` is a near duplicate, else None (and it is remembered)."""
        v = self._embed(program)
        if v is None:
            return None
        if self.vectors:
            sims = np.stack(self.vectors) @ v
            i = int(np.argmax(sims))
            if sims[i] >= self.threshold:
                return f"near duplicate (embedding cosine {sims[i]:.3f} >= {self.threshold}; not evaluated)"
        self.vectors.append(v)
        return None


class ProgramOps:
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
        """The next idea: every idea once, in a shuffled order, before any comes again."""
        if not self.idea_order:
            self.idea_order = [int(i) for i in rng.permutation(len(self.spec.ideas))]
        return self.spec.ideas[self.idea_order.pop(0)]

    def hint(self) -> str:
        return f"{self.spec.hint}\n" if self.spec.hint else ""

    def line_prompt(self, parent: Candidate, rng: np.random.Generator) -> str | None:
        """Ask for one or two lines that change ``result`` before it is returned (small models do
        this well: a short answer, one idea, nothing to copy back); None when the task has no
        ``LINE_EXAMPLE`` or the function does not end in ``return <expression>``."""
        if not self.spec.line_example:
            return None
        program = result_form(parent.genome, self.spec.function)
        if program is None:
            return None
        return (f"Task: {self.spec.description}\n```python\n{shown(program)}\n```\n"
                f"Now: {describe(parent)}\nIdea: {self.idea(rng)}.\n"
                f"Write one or two lines of code to insert before `return result` that change `result` to do "
                f"this. {self.hint()}Example:\n```python\n{self.spec.line_example}\n```")

    def from_lines(self, parent_program: str, answer: str) -> Proposal:
        """Insert the answer's lines before ``return result``; an answer that is a whole function is
        used as a rewrite."""
        if re.search(rf"\bdef\s+{re.escape(self.spec.function)}\b", answer or ""):
            alt = self.from_rewrite(parent_program, answer)
            if alt.program is not None:
                alt.how = "line-as-rewrite"
                return alt
        program = result_form(parent_program, self.spec.function)
        if program is None:
            return Proposal(None, "line", "line: the function does not end with `return <expression>`")
        text = evolve_text(program)
        have = {"".join(x.split("#")[0].split()) for x in text.split("\n")}
        lines = [ln for ln in answer_lines(answer) if "".join(ln.split("#")[0].split()) not in have][:4]
        if not lines:
            return Proposal(None, "line", "line: no new code line in the answer")
        for b in blocks(program):
            at = b.text.rfind("return result")
            if at < 0:
                continue
            start = b.text.rfind("\n", 0, at) + 1
            indent = b.text[start:at]
            new = b.text[:start] + "".join(f"{indent}{ln}\n" for ln in lines) + b.text[start:]
            try:
                ast.parse(new)
            except SyntaxError as err:
                return Proposal(None, "line", f"line: syntax error: {err.msg}")
            return Proposal(replace_block(program, b.index, new), "line")
        return Proposal(None, "line", "line: no `return result` found")

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
        reason = child.reason or ""
        tips = "".join(f"Tip: {tip}.\n" for key, tip in _ERROR_HINTS if key in reason)
        return (f"Task: {self.spec.description}\nThis code fails:\n```python\n{shown(child.genome)}\n```\n"
                f"Error: {reason[-300:]}\n{tips}Fix the error. Reply with the corrected "
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

    def accept(self, proposal: Proposal, near: bool = True) -> str | None:
        """The reason a proposal cannot be evaluated (None when it can): unusable, does not parse,
        an AST duplicate of a program already proposed, or (``near``) an embedding-near duplicate."""
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
        if near and not self.near.disabled:
            if not self.near_seeded:
                self.near_seeded = True
                self.near.add(self.spec.seed)
            why = self.near.check(proposal.program)
            if why:
                return why
        return None

    def tune(self, pool: list[Candidate], rng: np.random.Generator, k: int = 2,
             scale: float = 0.4) -> tuple[str, Candidate] | None:
        """A child with 1..``k`` numeric constants of a good program changed (no model call): the
        parent is drawn from ``pool`` with weights 1/rank; None when no program has constants."""
        from ..programs.constants import constants, perturb_constants
        ranked = sorted((c for c in pool if c.ok and isinstance(c.genome, str) and constants(evolve_text(c.genome))),
                        key=Candidate.rank_key)
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


class Bandit:
    """UCB1 over named arms; reward 1 for a child that beat its parent, else 0. ``prior`` gives an arm
    one pseudo-pull with that reward (arms with a prior count as tried)."""

    def __init__(self, arms: list[str], c: float = 1.0, prior: dict[str, float] | None = None):
        self.arms, self.c = list(arms), c
        prior = prior or {}
        self.pulls = {a: (1 if a in prior else 0) for a in arms}
        self.wins = {a: float(prior.get(a, 0.0)) for a in arms}

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
