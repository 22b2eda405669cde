"""Agent tasks: the public :class:`AgentTask` value (a task file sets ``TASK = AgentTask(...)``).

An evaluation runs the agent (:mod:`.runtime`) on some search items and scores each answer with the
task's ``score(item, answer)`` here, in the parent. Held-out items are scored only when a genome asks
for ``split="heldout"``, which recipes never do (benchmarks do, after the search).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from evoforge.core.task_value import TaskValue
from evoforge.llm.usage import usage_since

from .genome import AgentGenomeError, check_genome
from .model import _OVERRIDE, shared_agent_model
from .racing import out_of_race, rungs
from .runtime import run_agent

SPLITS = ("search", "heldout")


DEFAULT_CALL_LIMIT = DEFAULT_ITEMS = 6  # what the agent recipes assume of an agent task without an AgentTask


class AgentFailure(RuntimeError):
    """The agent did not run: its code did not load, or every item failed; the message says why."""


@dataclass(kw_only=True)
class AgentTask(TaskValue):
    """A task whose genome is an agent design. Items are dicts; the agent's ``forward(task, tools)``
    gets each without the ``hidden`` keys (the answer, hidden tests) and with ``format`` (how to
    answer). ``score(item, answer) -> float`` in [0, 1] judges an answer (trusted code, run here).
    ``search`` items are what recipes see; ``heldout`` items are for the final comparison only.

    ``corpus``: documents for ``tools.search``; ``actions``: the environment, ``name -> fn(item,
    *args)`` (run here with the agent's JSON arguments; never execute them). ``items_per_eval``: search
    items a plain evaluation scores. Limits per item: ``call_limit`` model calls, ``item_seconds`` of
    the agent's own time, ``max_tokens`` per reply."""

    kind: ClassVar[str] = "agent"
    description: str
    search: Sequence[dict[str, Any]]
    heldout: Sequence[dict[str, Any]]
    score: Callable[[dict[str, Any], Any], float]
    seed: dict[str, Any] | None = None  # default: the chain-of-thought baseline
    answer_format: str = "End your reply with a line 'Answer: <your answer>'."
    hidden: tuple[str, ...] = ("answer",)
    corpus: Sequence[str] = ()
    actions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    items_per_eval: int = 6
    call_limit: int = 6
    item_seconds: float = 20.0
    max_tokens: int = 192
    name: str = ""
    model: Any = field(default=None, repr=False, compare=False)
    base_url: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seed is None:
            from .baselines import baseline

            self.seed = baseline("cot")
        if not self.search:
            raise ValueError("AgentTask: no search items")

    # -- the model the agents call --------------------------------------------------------------
    def use_model(self, model: Any, base_url: str | None = None) -> None:  # type: ignore[override]
        self.model, self.base_url = model, base_url

    def task_model(self) -> Any:
        if _OVERRIDE or self.model is None or isinstance(self.model, str):
            return shared_agent_model(self.model or "embedded", self.base_url)
        return self.model

    def initial(self) -> dict[str, Any]:
        return self.seed  # type: ignore[return-value]  # set in __post_init__

    # -- evaluation -----------------------------------------------------------------------------
    def items(self, split: str) -> list[dict[str, Any]]:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}: use 'search' or 'heldout'")
        return list(self.search if split == "search" else self.heldout)

    def shown(self, item: dict[str, Any]) -> dict[str, Any]:
        """What the agent sees of an item."""
        return {**{k: v for k, v in item.items() if k not in self.hidden}, "format": self.answer_format}

    def evaluate(self, genome: Any, model: Any = None) -> dict[str, Any]:
        try:
            genome = check_genome(genome)
        except AgentGenomeError as err:
            raise AgentFailure(str(err)) from None
        split = genome.get("split", "search")
        data = self.items(split)
        ids = genome.get("items")
        ids = list(range(min(len(data), self.items_per_eval))) if ids is None else [int(i) % len(data) for i in ids]
        chosen = [data[i] for i in ids]
        beat = None if genome.get("beat") is None else float(genome["beat"])
        model = model or self.task_model()
        model.counts_for_run = True  # its calls count against the active run's --max-calls, in any process
        before = model.usage.total
        correct: list[float] = []
        errors: list[str] = []
        failures: list[str] = []
        calls, isolation, raced_out = 0, "", False
        for end in rungs(len(chosen)) if beat is not None else [len(chosen)]:
            part = chosen[len(correct) : end]
            run = self._run(genome, part, model)
            if run.load_error is not None:
                raise AgentFailure(f"agent did not load: {run.load_error}")
            calls, isolation = calls + run.calls, run.isolation
            for item, r in zip(part, run.items):
                value, note = self._judge(item, r)
                if not r.ok:
                    errors.append(r.error)
                correct.append(value)
                if value < 1.0 and len(failures) < 4:
                    failures.append(_shown_failure(item, r.answer, note, failed=not r.ok))
            if end < len(chosen) and out_of_race(correct, beat):
                raced_out = True
                break
        usage = usage_since(model.usage, before)
        if errors and len(errors) == len(correct):
            common, count = Counter(errors).most_common(1)[0]
            raise AgentFailure(f"all {len(correct)} items failed ({count}x): {common}")
        score = sum(correct) / len(correct)
        right = sum(1 for c in correct if c >= 1.0)
        feedback = f"{right} of {len(correct)} right" + (f", {len(errors)} failed with errors" if errors else "")
        if raced_out:
            feedback += f" (stopped early: it could not beat {beat:.2f})"
        if failures:
            feedback += ".\n\n" + "\n\n".join(failures)
        return {
            "score": score,
            "feedback": feedback,
            "metrics": {
                "correct": correct, "items": ids[: len(correct)], "split": split, "errors": errors, "calls": calls,
                "isolation": isolation, "model_usage": usage, "raced_out": raced_out,
            },
        }  # fmt: skip

    def _run(self, genome: dict[str, Any], chosen: list[dict[str, Any]], model: Any) -> Any:
        """The agent run on ``chosen`` (the task's actions see the item itself)."""
        actions = {name: functools.partial(_on_item, fn, chosen) for name, fn in self.actions.items()}
        return run_agent(
            genome["code"], [self.shown(x) for x in chosen], model=model, parts=genome["parts"], corpus=self.corpus,
            actions=actions, call_limit=self.call_limit, item_seconds=self.item_seconds, max_tokens=self.max_tokens,
        )  # fmt: skip

    def _judge(self, item: dict[str, Any], run: Any) -> tuple[float, str | None]:
        """The item's score in [0, 1] and a note on why it is not right (None when nothing to say)."""
        if not run.ok:
            return 0.0, f"{run.error}" + ("; " + "; ".join(run.where) if run.where else "")
        try:
            return min(1.0, max(0.0, float(self.score(item, run.answer)))), None
        except Exception as err:  # an answer the scorer cannot read is a wrong answer
            return 0.0, f"unreadable answer ({type(err).__name__})"


def _shown_failure(item: dict[str, Any], answer: Any, note: str | None, *, failed: bool) -> str:
    question = str(item.get("question", ""))[:300]
    text = f"Task: {question}\nExpected: {str(item.get('answer', ''))[:200]}"
    if failed:
        return text + f"\nThe agent failed: {str(note)[:300]}"
    return text + f"\nThe agent answered: {str(answer)[-300:]!r}" + (f" ({note})" if note else "")


def _on_item(fn: Callable[..., Any], chosen: list[dict[str, Any]], index: int, *args: Any) -> Any:
    """An environment action called with the item itself rather than its index in this evaluation."""
    return fn(chosen[index], *args)


def agent_task(task: Any) -> AgentTask | None:
    """A loaded task's :class:`AgentTask` value, or None (a module-style agent task has none)."""
    return task.value if isinstance(task.value, AgentTask) else None


def call_limit_of(task: Any) -> int:
    """Model calls an agent may make per item on a loaded task."""
    value = agent_task(task)
    return value.call_limit if value is not None else DEFAULT_CALL_LIMIT


def items_per_eval_of(task: Any) -> int:
    """Search items a plain evaluation of a loaded task scores."""
    value = agent_task(task)
    return value.items_per_eval if value is not None else DEFAULT_ITEMS


def search_items(task: Any) -> list[dict[str, Any]]:
    """The search items of a loaded agent task (none for a task without an AgentTask value)."""
    value = agent_task(task)
    return list(value.search) if value is not None else []


def evaluation_items(task: Any) -> list[dict[str, Any]]:
    """The search items a plain evaluation of a loaded task scores (what a scored seed archive is made on)."""
    return search_items(task)[: items_per_eval_of(task)]
