"""The self-training contract as typed task values: a task file sets ``TASK = SomeTask()``.

Two contracts, both evolving a model checkpoint (genome kind ``weights``; ``initial()`` is the base
model, ``base_model``):

- :class:`WeightsTask`: problems with checkable answers, for the self-training recipes (``star``,
  ``grpo``, ...): a seeded split (:meth:`~WeightsTask.heldout_problems` and
  :meth:`~WeightsTask.train_problems` never overlap), the prompt, a gold solution with a rationale,
  answer extraction, a checker and, optionally, easier variants (LADDER, TTRL); ``evaluate`` is greedy
  held-out accuracy.
- :class:`EpisodeTask`: an agent's episodes, for ``agent-evol`` and ``rest-react``: training items,
  and one episode of an item with any model (its reward and (prompt, reply) rows).

Options are fields declared with :func:`~evoforge.core.task_value.option` in the subclass; what depends
on them (``max_new_tokens``, cached held-out sets) is derived from the fields, so a copy made by
``--set task.KEY=VALUE`` is consistent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue


@dataclass(kw_only=True)
class CheckpointTask(TaskValue):
    """What both contracts share: the genome is a checkpoint, the initial one ``base_model``."""

    kind: ClassVar[str] = "weights"
    base_model: ClassVar[str] = "embedded"  # SmolLM2-135M-Instruct, de-quantized (see models.resolve)

    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def initial(self) -> str:
        return self.base_model

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per task value (a copy with other options starts afresh)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


@dataclass(kw_only=True)
class WeightsTask(CheckpointTask):
    """Problems with checkable answers (a question is a string). Subclasses define the problem methods
    and ``max_new_tokens``; ``correct``, ``accuracy`` and ``evaluate`` have defaults from them."""

    stop: ClassVar[str | None] = "\n"  # where a completion ends (None: at the token limit)
    batch_size: int = 64  # prompts per greedy generation batch (an option in most tasks)

    @property
    def max_new_tokens(self) -> int:
        """Tokens a completion may take (a full worked solution)."""
        raise NotImplementedError

    def heldout_problems(self) -> list[str]:
        """The held-out problems (fixed by the task's options); never used for training."""
        raise NotImplementedError

    def train_problems(self, n: int, seed: int, digits: int | None = None) -> list[str]:
        """``n`` training problems drawn with ``seed``, none held out (``digits``: a length, where the
        task has one)."""
        raise NotImplementedError

    def prompt(self, question: str, hint: str | None = None) -> str:
        """The prompt; with ``hint`` (the right answer) it is STaR's rationalization prompt."""
        raise NotImplementedError

    def solution(self, question: str) -> str:
        """The gold completion, with a rationale where the task has one."""
        raise NotImplementedError

    def gold(self, question: str) -> str:
        """The right answer (a string no answer equals when the question is not one of the task's)."""
        raise NotImplementedError

    def answer(self, text: str) -> str | None:
        """The final answer in a completion, or None when it has none."""
        raise NotImplementedError

    def correct(self, question: str, text: str) -> bool:
        return self.answer(text) == self.gold(question)

    def easier(self, question: str, rng: np.random.Generator, k: int = 2) -> list[str]:
        """``k`` easier variants of a problem (LADDER); only tasks with :attr:`offers_easier` have them."""
        raise NotImplementedError(f"{type(self).__name__} has no easier variants")

    @property
    def offers_easier(self) -> bool:
        return type(self).easier is not WeightsTask.easier

    @property
    def labelled_digits(self) -> int | None:
        """The length (digits) of the training problems, for a curriculum that grows it (``easy-to-hard``);
        None when the problems have no length."""
        return None

    def accuracy(self, checkpoint: str, questions: list[str]) -> tuple[float, list[str]]:
        """Greedy accuracy of ``checkpoint`` on ``questions`` and its completions."""
        from .generate import greedy

        prompts = [self.prompt(q) for q in questions]
        texts = greedy(
            checkpoint, prompts, max_new_tokens=self.max_new_tokens, batch_size=self.batch_size, stop=self.stop
        )
        return sum(self.correct(q, t) for q, t in zip(questions, texts)) / max(1, len(questions)), texts

    def evaluate(self, genome: Any) -> dict[str, Any]:
        """Greedy accuracy on the held-out problems, with the format rate and an example."""
        questions = self.heldout_problems()
        acc, texts = self.accuracy(str(genome), questions)
        formatted = sum(self.answer(t) is not None for t in texts) / max(1, len(texts))
        metrics = {"heldout_acc": acc, "heldout_n": len(questions), "formatted": formatted}
        return {"score": acc, "metrics": {**metrics, "example": texts[0][:80] if texts else ""}}


@dataclass(kw_only=True)
class EpisodeTask(CheckpointTask):
    """An agent whose policy is the checkpoint: training items and episodes of them."""

    def train_items(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` training items per environment (never held-out ones), as small JSON references."""
        raise NotImplementedError

    def question(self, ref: dict[str, Any]) -> str:
        """The question of a training item."""
        raise NotImplementedError

    def episode(self, model: Any, ref: dict[str, Any]) -> dict[str, Any]:
        """One episode of item ``ref`` with ``model``: the ref plus ``reward`` in [0, 1], ``rows`` (its
        (prompt, completion) pairs), ``calls`` and ``trajectory``."""
        raise NotImplementedError
