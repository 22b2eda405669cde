"""Prompt templates of program evolution, short enough for a 0.5B model: what a program task tells the
recipes (:class:`ProgramSpec`), the system prompt, ideas to try, the edit format and the prompts that
ask for a line, a rewrite, a diff or a repair (:class:`ProgramPrompts`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.task import Task

from .answers import line_variable, result_form
from .blocks import evolve_text, function_names, signature_of
from .task import program_facts

SYSTEM = "You are an expert Python programmer. Improve the function you are given. Be brief."
GENERIC_IDEAS = [
    "change one constant or weight",
    "add one new term to the formula",
    "combine two existing terms differently",
    "handle a special case separately",
    "make the formula nonlinear (a power, exp or log)",
    "simplify the code",
]
DIFF_FORMAT = (
    "Reply with only the edit, in this exact format:\n<<<<<<< SEARCH\n(lines copied from the code)\n"
    "=======\n(new lines)\n>>>>>>> REPLACE"
)


@dataclass
class ProgramSpec:
    """What the recipes need to know about a program task."""

    seed: str
    function: str
    description: str
    ideas: list[str]
    hint: str = ""  # one line on the task's pitfalls (numpy arrays, no `if` on them ...)
    line_example: str = ""  # a one-line edit of `result` (or the variable it assigns); enables the line operator
    signature: str = ""  # `def name(args) -> ret:` of the evolved function, as in the seed

    @classmethod
    def from_task(cls, task: Task) -> ProgramSpec:
        if not isinstance(task.seed, str):
            raise TypeError(
                f"program recipes need a program-text SEED, task {task.name!r} has {type(task.seed).__name__}"
            )
        names = function_names(evolve_text(task.seed)) or function_names(task.seed)
        facts = program_facts(task)
        function = (facts and facts.function) or (names[0] if names else "main")
        return cls(
            task.seed,
            function,
            task.description or task.name,
            list((facts and facts.ideas) or GENERIC_IDEAS),
            str((facts and facts.hint) or ""),
            str((facts and facts.line_example) or ""),
            signature_of(task.seed, function),
        )


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


ERROR_HINTS = [
    ("truth value of an array", "use np.where(condition, a, b) or a mask times a number, never `if` on an array"),
    ("bitwise_and", "put every comparison in its own parentheses: (gap > 2) * (gap < 8)"),
    ("bitwise_or", "put every comparison in its own parentheses"),
    ("is not defined", "define every name you use inside the function"),
    ("one value per bin", "return one number per bin: an array shaped like `bins`"),
    ("NaN or infinity", "avoid dividing by zero: add a small number to the divisor"),
]


class ProgramPrompts:
    """The prompts of :class:`~evoforge.genomes.programs.ops.ProgramOps` (needs ``spec`` and ``idea_order``)."""

    spec: ProgramSpec
    idea_order: list[int]

    def task_line(self, code: str) -> str:
        """The "Task:" line, and the signature the function must keep when ``code`` does not show it."""
        sig = getattr(self.spec, "signature", "")  # specs checkpointed before signatures existed have none
        needed = sig and "".join(sig.split()) not in "".join(code.split())
        return f"Task: {self.spec.description}\n" + (f"Required signature: `{sig}`\n" if needed else "")

    def header(self, parent: Candidate) -> str:
        code = shown(parent.genome)
        return f"{self.task_line(code)}Current code ({describe(parent)}):\n```python\n{code}\n```\n"

    def idea(self, rng: np.random.Generator) -> str:
        """The next idea: every idea once, in a shuffled order, before any comes again."""
        if not self.idea_order:
            self.idea_order = [int(i) for i in rng.permutation(len(self.spec.ideas))]
        return self.spec.ideas[self.idea_order.pop(0)]

    def hint(self) -> str:
        return f"{self.spec.hint}\n" if self.spec.hint else ""

    def line_prompt(self, parent: Candidate, rng: np.random.Generator) -> str | None:
        """Ask for one or two lines that change the line variable (``result``, or what the task's
        ``LINE_EXAMPLE`` assigns) before the final ``return`` (small models do this well: a short
        answer, one idea, nothing to copy back); None when the task has no ``LINE_EXAMPLE`` or the
        function does not have that shape."""
        if not self.spec.line_example:
            return None
        variable = line_variable(self.spec.line_example)
        program = result_form(parent.genome, self.spec.function, variable)
        if program is None:
            return None
        where = "`return result`" if variable == "result" else "the final `return`"
        return (
            f"{self.task_line(shown(program))}```python\n{shown(program)}\n```\n"
            f"Now: {describe(parent)}\nIdea: {self.idea(rng)}.\n"
            f"Write one or two lines of code to insert before {where} that change `{variable}` to do "
            f"this. {self.hint()}Example:\n```python\n{self.spec.line_example}\n```"
        )

    def rewrite_prompt(
        self, parent: Candidate, rng: np.random.Generator, inspirations: list[Candidate] = (), extra: str = ""
    ) -> str:
        text = self.header(parent)
        for insp in inspirations[:1]:
            text += f"A different version ({describe(insp, 100)}):\n```python\n{shown(insp.genome)}\n```\n"
        text += extra
        text += (
            f"Idea to try: {self.idea(rng)}.\nWrite the improved `{self.spec.function}` with the same "
            f"signature. Reply with one ```python block only, no examples."
        )
        return text

    def diff_prompt(self, parent: Candidate, rng: np.random.Generator, extra: str = "") -> str:
        return self.header(parent) + extra + f"Idea to try: {self.idea(rng)}.\n{DIFF_FORMAT}"

    def repair_prompt(self, child: Candidate) -> str:
        reason = child.reason or ""
        tips = "".join(f"Tip: {tip}.\n" for key, tip in ERROR_HINTS if key in reason)
        return (
            f"{self.task_line(shown(child.genome))}This code fails:\n```python\n{shown(child.genome)}\n```\n"
            f"Error: {reason[-300:]}\n{tips}Fix the error. Reply with the corrected "
            f"`{self.spec.function}` in one ```python block only."
        )
