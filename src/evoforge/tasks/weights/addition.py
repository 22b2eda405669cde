"""Addition for self-training of weights: the genome is a model checkpoint directory, the score its
held-out accuracy (greedy decoding) on ``digits``-digit sums.

The task also gives self-training recipes what they need: training problems disjoint from the held-out
set (:func:`train_problems`), the prompt, gold solutions with a column-by-column rationale
(:func:`solution`), answer extraction, a checker, rationalization hints and easier variants (LADDER).
Options (``--set task.KEY=VALUE``): ``digits`` (2), ``heldout`` (200 problems), ``rationale`` (True:
answers show their carries), ``split_seed`` (the held-out split), ``batch_size`` (generation).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

DESCRIPTION = "two-digit sums by a model checkpoint (genome: checkpoint dir; score: held-out accuracy)"
GENOME = "weights"  # not inferable from SEED (evoforge.core.kinds)
SEED = "embedded"  # the base model: SmolLM2-135M-Instruct de-quantized

DIGITS = 2
HELDOUT = 200
RATIONALE = True
SPLIT_SEED = 20240
BATCH_SIZE = 64
MAX_NEW_TOKENS = 40


def configure(
    digits: int = 2, heldout: int = 200, rationale: bool = True, split_seed: int = 20240, batch_size: int = 64
) -> None:
    global DIGITS, HELDOUT, RATIONALE, SPLIT_SEED, BATCH_SIZE, MAX_NEW_TOKENS
    DIGITS, HELDOUT, SPLIT_SEED, BATCH_SIZE = int(digits), int(heldout), int(split_seed), int(batch_size)
    RATIONALE = rationale if isinstance(rationale, bool) else str(rationale).lower() in ("1", "true", "yes")
    MAX_NEW_TOKENS = 12 + (9 * DIGITS + 4 if RATIONALE else 0)
    _cache.clear()


_cache: dict[str, Any] = {}


def _draw(rng: np.random.Generator, n: int, digits: int) -> list[tuple[int, int]]:
    lo, hi = 10 ** (digits - 1) if digits > 1 else 0, 10**digits
    return [(int(a), int(b)) for a, b in rng.integers(lo, hi, size=(n, 2))]


def heldout() -> list[str]:
    """The held-out questions (fixed by ``split_seed``); never used for training."""
    if "heldout" not in _cache:
        rng = np.random.default_rng(SPLIT_SEED)
        seen: set[tuple[int, int]] = set()
        out = []
        while len(out) < HELDOUT:
            for pair in _draw(rng, HELDOUT, DIGITS):
                if pair not in seen and len(out) < HELDOUT:
                    seen.add(pair)
                    out.append(pair)
        _cache["heldout"] = [f"{a}+{b}" for a, b in out]
    return _cache["heldout"]


def train_problems(n: int, seed: int, digits: int | None = None) -> list[str]:
    """``n`` training questions drawn with ``seed``, none of them in the held-out set."""
    held = set(heldout())
    rng = np.random.default_rng([SPLIT_SEED, int(seed), 7])
    out: list[str] = []
    while len(out) < n:
        out += [q for a, b in _draw(rng, n, digits or DIGITS) if (q := f"{a}+{b}") not in held]
    return out[:n]


def operands(question: str) -> tuple[int, int]:
    a, b = question.split("+")
    return int(a), int(b)


def gold(question: str) -> str:
    a, b = operands(question)
    return str(a + b)


def prompt(question: str, hint: str | None = None) -> str:
    """The prompt; with ``hint`` (the right answer) it is STaR's rationalization prompt."""
    return f"Q: {question}{f' (answer {hint})' if hint is not None else ''}\nA:"


def solution(question: str) -> str:
    """The gold completion: column sums with carries, then the answer (or the answer alone)."""
    a, b = operands(question)
    if not RATIONALE:
        return f" {a + b}"
    steps, carry, x, y = [], 0, a, b
    while x or y or not steps:
        da, db = x % 10, y % 10
        s = da + db + carry
        steps.append(f"{da}+{db}{'+1' if carry else ''}={s}")
        carry, x, y = s // 10, x // 10, y // 10
    return " " + ", ".join(steps) + f". Answer: {a + b}"


_ANSWER = re.compile(r"Answer:\s*(-?\d+)")
_NUMBER = re.compile(r"^\s*(-?\d+)\s*$")


def answer(text: str) -> str | None:
    """The final answer in a completion, or None when it has none."""
    m = _ANSWER.search(text) if RATIONALE else _NUMBER.match(text)
    return m.group(1).lstrip("0") or "0" if m else None


def correct(question: str, text: str) -> bool:
    return answer(text) == gold(question)


def easier(question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
    """LADDER: ``k`` simpler variants (one digit fewer in one or both operands)."""
    a, b = operands(question)
    out = []
    for _ in range(k):
        x, y = a, b
        if x >= 10 and (y < 10 or rng.random() < 0.5):
            x = int(rng.integers(0, 10)) if x < 100 else x % (10 ** (len(str(x)) - 1))
        elif y >= 10:
            y = int(rng.integers(0, 10)) if y < 100 else y % (10 ** (len(str(y)) - 1))
        out.append(f"{x}+{y}")
    return out


def accuracy(checkpoint: str, questions: list[str]) -> tuple[float, list[str]]:
    """Greedy accuracy of ``checkpoint`` on ``questions`` and its completions."""
    from evoforge.genomes.weights.generate import greedy

    texts = greedy(checkpoint, [prompt(q) for q in questions], max_new_tokens=MAX_NEW_TOKENS, batch_size=BATCH_SIZE)
    return sum(correct(q, t) for q, t in zip(questions, texts)) / max(1, len(questions)), texts


def evaluate(genome: str) -> dict[str, Any]:
    questions = heldout()
    acc, texts = accuracy(str(genome), questions)
    formatted = sum(answer(t) is not None for t in texts) / len(texts)
    return {
        "score": acc,
        "metrics": {"heldout_acc": acc, "heldout_n": len(questions), "formatted": formatted, "example": texts[0][:80]},
    }
