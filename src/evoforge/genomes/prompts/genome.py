"""The prompt unit and the guard against garbage from a small model."""

from __future__ import annotations

import re
from typing import Any

# Mutation prompts ("how to change an instruction") and thinking styles, written for this project.
MUTATION_PROMPTS = [
    "Rewrite the instruction so it is clearer and shorter.",
    "Make the instruction more specific about the expected answer format.",
    "Rephrase the instruction as a direct command.",
    "Add a short tip that helps avoid common mistakes.",
    "Say exactly what the answer must look like: a single word or number.",
    "Rewrite the instruction in simple words a child understands.",
    "Change the instruction to ask for only the final answer.",
    "Improve the instruction so that a student would answer correctly.",
]
THINKING_STYLES = [
    "Think about what could go wrong.",
    "Focus on the most important detail.",
    "Break the problem into small steps.",
    "Be brief and precise.",
    "Think about how an expert would say it.",
    "Consider a simple example first.",
]

MAX_PROMPT_CHARS = 400
_PREAMBLE = re.compile(
    r"^(sure|certainly|of course|here(?:'s| is| are)|okay|ok|absolutely)\b[^:\n]*[:.!]?\s*", re.IGNORECASE
)
_LABEL = re.compile(
    r"^\s*(?:\*\*)?(?:new |improved |mutated |rewritten )?(?:instruction|prompt|task prompt|"
    r"mutant|instruction mutant|answer|response)(?:\*\*)?\s*[:\-]\s*",
    re.IGNORECASE,
)


def make_unit(instruction: str, demos: list | None = None, mutation_prompt: str | None = None) -> dict[str, Any]:
    """A Promptbreeder unit: the task prompt (+ demos) and the mutation prompt that evolves it."""
    return {
        "instruction": instruction,
        "demos": [list(d) for d in (demos or [])],
        "mutation_prompt": mutation_prompt or MUTATION_PROMPTS[0],
    }


def task_view(unit: dict[str, Any]) -> dict[str, Any]:
    """What the evaluator needs from a unit (instruction and demos)."""
    return {"instruction": unit.get("instruction", ""), "demos": [list(d) for d in unit.get("demos", [])]}


def clean_prompt(
    text: str | None, parent: str = "", *, max_chars: int = MAX_PROMPT_CHARS, forbidden: tuple[str, ...] = ()
) -> str | None:
    """A usable prompt from a model's raw output, or None when it is garbage.

    Repairs: strips chat preambles ("Sure! Here is ..."), labels ("Instruction:"), quotes, list
    numbering and everything after the first blank line; cuts at ``max_chars`` on a sentence boundary.
    Rejects: empty or tiny text, no letters, mostly non-words, repetition loops, an exact copy of the
    parent, and text containing any ``forbidden`` string (e.g. a held-out answer or the meta-prompt)."""
    if not text:
        return None
    text = text.strip().replace("\r", "")
    for _ in range(3):
        text = _PREAMBLE.sub("", text, count=1).strip()
        text = _LABEL.sub("", text, count=1).strip()
    text = re.split(r"\n\s*\n", text, maxsplit=1)[0].strip()
    text = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s+", "", text)
    text = text.strip().strip("\"“”'`").strip()
    text = " ".join(text.split())
    if len(text) > max_chars:
        cut = text[:max_chars]
        end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
        text = cut[: end + 1] if end > 40 else cut
    words = re.findall(r"[A-Za-z]{2,}", text)
    if len(text) < 12 or len(words) < 3:
        return None
    if sum(len(w) for w in words) < 0.5 * len(text.replace(" ", "")):
        return None  # mostly symbols or digits
    if len({w.lower() for w in words}) < 0.4 * len(words) and len(words) > 8:
        return None  # a repetition loop
    if text.strip().lower() == (parent or "").strip().lower():
        return None
    low = text.lower()
    if any(f and f.lower() in low for f in forbidden):
        return None
    return text
