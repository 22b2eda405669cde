"""Addition with the answer written least-significant digit first ("123+45=" -> "861"), for a small
transformer trained from scratch and grown to longer numbers by self-improvement (the ``easy-to-hard``
recipe). The genome is a checkpoint directory; the score is its *reach*: the number of digits ``L`` up
to which every length is solved (held-out accuracy >= ``solved``), plus the accuracy at ``L + 1``.

A problem of length ``d`` has one operand of exactly ``d`` digits and the other of 1 to ``d`` digits.
Options (``--set task.KEY=VALUE``): ``digits`` (3: the labelled lengths, 1..digits), ``max_digits``
(10: the longest length evaluated), ``heldout`` (100 problems per length), ``solved`` (0.9),
``split_seed``.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.weights.task import WeightsTask

from .addition import operands


def reach(accs: dict[int, float], solved_at: float = 0.9) -> float:
    """Digits solved (every length up to it at >= ``solved_at``) plus the accuracy one digit further."""
    solved = 0
    while solved + 1 in accs and accs[solved + 1] >= solved_at:
        solved += 1
    return solved + accs.get(solved + 1, 0.0)


def gold(question: str) -> str:
    a, b = operands(question)
    return str(a + b)[::-1]


@dataclass(kw_only=True)
class ReversedAddition(WeightsTask):
    """``a+b=`` answered reversed; the base model is a 3-layer, 128-wide Llama with a character
    tokenizer, randomly initialised (``tiny:0:3x128``)."""

    base_model = "tiny:0:3x128"
    stop = None  # the answer is all a completion holds

    description: str = "reversed-answer addition by a checkpoint (genome: checkpoint dir; score: digits solved + next)"
    digits: int = option(3, help="the labelled lengths: 1..digits")
    max_digits: int = option(10, help="the longest length evaluated")
    heldout: int = option(100, help="held-out problems per length")
    solved: float = option(0.9, help="held-out accuracy at which a length counts as solved")
    split_seed: int = option(31337, help="seed of the held-out split")
    batch_size: int = 200

    @property
    def labelled_digits(self) -> int:
        return self.digits

    @property
    def max_new_tokens(self) -> int:
        return self.max_digits + 2

    def _draw(self, rng: np.random.Generator, n: int, digits: int | None) -> list[str]:
        """``n`` problems; ``digits=None`` mixes lengths 1..digits, else the longer operand has ``digits``."""
        out = []
        for _ in range(n):
            d = int(rng.integers(1, self.digits + 1)) if digits is None else digits
            e = int(rng.integers(1, d + 1)) if digits is not None else int(rng.integers(1, self.digits + 1))
            a = int(rng.integers(10 ** (d - 1) if d > 1 else 0, 10**d))
            b = int(rng.integers(10 ** (e - 1) if e > 1 else 0, 10**e))
            out.append(f"{a}+{b}" if rng.random() < 0.5 else f"{b}+{a}")
        return out

    def heldout_problems(self, digits: int | None = None) -> list[str]:
        """The held-out problems of one length (fixed by ``split_seed``), or of every length in turn."""
        if digits is None:
            return [q for d in range(1, self.max_digits + 1) for q in self.heldout_problems(d)]
        return self.cached(
            f"heldout-{digits}",
            lambda: self._draw(np.random.default_rng([self.split_seed, digits]), self.heldout, digits),
        )

    def train_problems(self, n: int, seed: int, digits: int | None = None) -> list[str]:
        """``n`` training problems (lengths 1..digits mixed, or exactly ``digits``), none held out."""
        held = set(self.heldout_problems())
        rng = np.random.default_rng([self.split_seed, int(seed), 11])
        out: list[str] = []
        while len(out) < n:
            out += [q for q in self._draw(rng, n, digits) if q not in held]
        return out[:n]

    def gold(self, question: str) -> str:
        return gold(question)

    def prompt(self, question: str, hint: str | None = None) -> str:
        return f"{question}="

    def solution(self, question: str) -> str:
        return gold(question)

    def answer(self, text: str) -> str | None:
        text = text.strip()
        return text if text.isdigit() else None

    def evaluate(self, genome: Any) -> dict[str, Any]:
        accs = {d: self.accuracy(str(genome), self.heldout_problems(d))[0] for d in range(1, self.max_digits + 1)}
        return {"score": reach(accs, self.solved), "metrics": {f"acc_{d}": a for d, a in accs.items()}}


TASK = ReversedAddition()
