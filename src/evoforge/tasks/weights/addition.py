"""Addition for self-training of weights: the genome is a model checkpoint directory, the score its
held-out accuracy (greedy decoding) on ``digits``-digit sums.

The task also gives self-training recipes what they need (:class:`~evoforge.genomes.weights.task.WeightsTask`):
training problems disjoint from the held-out set, the prompt, gold solutions with a column-by-column
rationale, answer extraction, a checker, rationalization hints and easier variants (LADDER).
Options (``--set task.KEY=VALUE``): ``digits`` (2), ``heldout`` (200 problems), ``rationale`` (True:
answers show their carries), ``split_seed`` (the held-out split), ``batch_size`` (generation).
"""

import re
from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.weights.task import WeightsTask

_ANSWER = re.compile(r"Answer:\s*(-?\d+)")
_NUMBER = re.compile(r"^\s*(-?\d+)\s*$")


def _draw(rng: np.random.Generator, n: int, digits: int) -> list[tuple[int, int]]:
    lo, hi = 10 ** (digits - 1) if digits > 1 else 0, 10**digits
    return [(int(a), int(b)) for a, b in rng.integers(lo, hi, size=(n, 2))]


def operands(question: str) -> tuple[int, int]:
    a, b = question.split("+")
    return int(a), int(b)


@dataclass(kw_only=True)
class Addition(WeightsTask):
    """``a+b`` with ``digits``-digit operands; the base model is SmolLM2-135M-Instruct (``embedded``)."""

    description: str = "two-digit sums by a model checkpoint (genome: checkpoint dir; score: held-out accuracy)"
    digits: int = option(2, help="digits per operand")
    heldout: int = option(200, help="held-out problems")
    rationale: bool = option(True, help="gold answers show the column sums and carries")
    split_seed: int = option(20240, help="seed of the held-out split")
    batch_size: int = option(64, help="prompts per generation batch")

    @property
    def labelled_digits(self) -> int:
        return self.digits

    @property
    def max_new_tokens(self) -> int:
        return 12 + (9 * self.digits + 4 if self.rationale else 0)

    def heldout_problems(self) -> list[str]:
        return self.cached("heldout", self._heldout)

    def _heldout(self) -> list[str]:
        rng = np.random.default_rng(self.split_seed)
        seen: set[tuple[int, int]] = set()
        out = []
        while len(out) < self.heldout:
            for pair in _draw(rng, self.heldout, self.digits):
                if pair not in seen and len(out) < self.heldout:
                    seen.add(pair)
                    out.append(pair)
        return [f"{a}+{b}" for a, b in out]

    def train_problems(self, n: int, seed: int, digits: int | None = None) -> list[str]:
        held = set(self.heldout_problems())
        rng = np.random.default_rng([self.split_seed, int(seed), 7])
        out: list[str] = []
        while len(out) < n:
            out += [q for a, b in _draw(rng, n, digits or self.digits) if (q := f"{a}+{b}") not in held]
        return out[:n]

    def gold(self, question: str) -> str:
        a, b = operands(question)
        return str(a + b)

    def prompt(self, question: str, hint: str | None = None) -> str:
        return f"Q: {question}{f' (answer {hint})' if hint is not None else ''}\nA:"

    def solution(self, question: str) -> str:
        """Column sums with carries, then the answer (or the answer alone)."""
        a, b = operands(question)
        if not self.rationale:
            return f" {a + b}"
        steps, carry, x, y = [], 0, a, b
        while x or y or not steps:
            da, db = x % 10, y % 10
            s = da + db + carry
            steps.append(f"{da}+{db}{'+1' if carry else ''}={s}")
            carry, x, y = s // 10, x // 10, y // 10
        return " " + ", ".join(steps) + f". Answer: {a + b}"

    def answer(self, text: str) -> str | None:
        m = _ANSWER.search(text) if self.rationale else _NUMBER.match(text)
        return m.group(1).lstrip("0") or "0" if m else None

    def easier(self, question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
        """One digit fewer in one or both operands."""
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


TASK = Addition()
