"""Prompt tasks: the genome is a prompt, the score the task model's accuracy with it on (input, answer) items.

A prompt genome is a dict::

    {"instruction": "...",                 # the task prompt (system message)
     "demos": [["input", "output"], ...],  # few-shot demonstrations (chat turns)
     "items": [3, 17, ...],                # optional: which train items to score on (a minibatch)
     "split": "train" | "test",            # optional: "test" scores the held-out items
     "max_tokens": 12}                     # optional: answer length (clipped to 96)

Other keys (a Promptbreeder mutation prompt, for instance) are ignored. Every scored item is one
*metric call*; ``metrics["metric_calls"]`` says how many an evaluation made.

The task model is chosen per run (``--task-model``, ``--task-base-url``; recorded in the run) and
handed to the task when it is loaded; it is created lazily once per process and spec, greedy, with a
response cache, so re-scoring a prompt on an item costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from evoforge.core.task_value import TaskValue
from evoforge.llm import task_model as task_models
from evoforge.llm.usage import usage_since

MAX_DEMOS = 8
_OVERRIDE = task_models.overridden("prompt")  # a model every prompt task uses (tests, in-process runs)


def make_task_model(
    spec: str = "embedded", base_url: str | None = None, cache: bool = True, threads: int | None = None
) -> Any:
    """A new task model for ``spec``; embedded models run on ``threads`` threads (default
    ``EVOFORGE_TASK_THREADS`` or 1); ``cache=False``: without the shared response cache."""
    return task_models.make_task_model(spec, base_url, task_models.CACHE_FILES["prompt"] if cache else None, threads)


def shared_task_model(spec: str, base_url: str | None = None) -> Any:
    """The process-wide model for ``spec`` (created on first use; ~1 s for the embedded one)."""
    return task_models.shared_task_model("prompt", spec, base_url)


def set_task_model(model: Any) -> None:
    """Make every prompt task in this process call ``model`` (None: back to each task's own)."""
    task_models.set_task_model("prompt", model)


_MARKER = re.compile(r"(?:answer\s*(?:is|:)|sentiment\s*(?:is|:)|result\s*(?:is|:)|=)\s*", re.IGNORECASE)
_TOKEN = re.compile(r"-?\d+|[A-Za-z]+")


def extract(text: str, kind: str, labels: tuple[str, ...] = ()) -> str | None:
    """The answer in a model output: the first token after the last "Answer:"-like marker if there is
    one; otherwise the first label word (classification) or the last number (numeric)."""
    text = text.strip()
    marks = list(_MARKER.finditer(text))
    tail = text[marks[-1].end() :] if marks else None
    if kind == "label":
        lowered = [t.lower() for t in _TOKEN.findall(tail if tail else text)]
        hit = next((t for t in lowered if t in labels), None)
        if hit is None and tail is not None:
            hit = next((t.lower() for t in _TOKEN.findall(text) if t.lower() in labels), None)
        return hit
    nums = re.findall(r"-?\d+", tail) if tail else []
    if nums:
        return nums[0]
    nums = re.findall(r"-?\d+", text)
    return nums[-1] if nums else None


@dataclass(kw_only=True)
class PromptTask(TaskValue):
    """A prompt task in one value: ``train`` items (fitness minibatches, demonstrations) and ``test``
    items (held out), each an (input, answer) pair. An output is right when ``scorer(output, answer)``
    says so (True/False or a number in [0, 1]); by default the answer read from the output (the word
    after "Answer:", else the first of ``labels`` for ``answer_kind="label"`` or the last number for
    ``answer_kind="number"``) must equal ``answer``, ignoring case."""

    kind: ClassVar[str] = "prompt"
    description: str
    train: Sequence[tuple[str, str]] = ()
    test: Sequence[tuple[str, str]] = ()
    seed_instruction: str = ""
    scorer: Callable[[str, str], bool | float] | None = None
    answer_kind: str = "label"  # "label" or "number" (the default scorer)
    labels: tuple[str, ...] = ()
    max_tokens: int = 12
    name: str = ""
    cot_instruction: str = ""  # a hand-written chain-of-thought baseline, if any
    model: Any = field(default=None, repr=False, compare=False)  # spec or model object (see use_model)
    base_url: str | None = field(default=None, repr=False, compare=False)

    # -- data and seed --------------------------------------------------------------------------
    def split(self, name: str) -> list[tuple[str, str]]:
        """``train`` or ``test`` items as (input, answer) pairs."""
        if name not in ("train", "test"):
            raise ValueError(f"unknown split {name!r}: use 'train' or 'test'")
        return [(str(x), str(y)) for x, y in (self.train if name == "train" else self.test)]

    @property
    def seed(self) -> dict[str, Any]:
        return {"instruction": self.seed_instruction, "demos": []}

    def initial(self) -> dict[str, Any]:
        return self.seed

    # -- the task model -------------------------------------------------------------------------
    def use_model(self, model: Any, base_url: str | None = None) -> None:  # type: ignore[override]
        """Call ``model``: a spec (``embedded``, ``openai:NAME`` with ``base_url``) or a model object."""
        self.model, self.base_url = model, base_url

    def task_model(self) -> Any:
        if _OVERRIDE or self.model is None or isinstance(self.model, str):
            return shared_task_model(self.model or "embedded", self.base_url)
        return self.model

    # -- prompting and scoring ------------------------------------------------------------------
    @staticmethod
    def messages(genome: dict[str, Any], x: str) -> list[dict[str, str]]:
        instruction = str(genome.get("instruction") or "").strip()
        msgs = [{"role": "system", "content": instruction}] if instruction else []
        for demo in list(genome.get("demos") or [])[:MAX_DEMOS]:
            msgs += [{"role": "user", "content": str(demo[0])}, {"role": "assistant", "content": str(demo[1])}]
        msgs.append({"role": "user", "content": x})
        return msgs

    def score_output(self, text: str, answer: str) -> tuple[float, str | None]:
        """(how right the output is, 0..1; the answer read from it, for feedback)."""
        if self.scorer is not None:
            return float(self.scorer(text, answer)), None
        got = extract(text, self.answer_kind, self.labels)
        return float(got is not None and got.lower() == answer.lower()), got

    def evaluate(self, genome: Any, model: Any = None) -> dict[str, Any]:
        if isinstance(genome, str):
            genome = {"instruction": genome}
        if not isinstance(genome, dict):
            raise TypeError("a prompt genome is a dict with 'instruction' and 'demos'")
        split = genome.get("split", "train")
        data = self.split(split)
        if not data:
            raise ValueError(f"prompt task {self.name or self.description[:40]!r} has no {split} items")
        ids = genome.get("items")
        ids = list(range(min(len(data), 20))) if ids is None else [int(i) % len(data) for i in ids]
        max_tokens = max(1, min(96, int(genome.get("max_tokens", self.max_tokens))))
        model = model or self.task_model()
        model.counts_for_run = True  # its calls count against the active run's --max-calls, in any process
        convs = [self.messages(genome, data[i][0]) for i in ids]
        before = model.usage.total
        outs = model.chat(convs, temperature=0.0, max_tokens=max_tokens, tag="metric")
        correct, failures, traces = [], [], []
        for i, out in zip(ids, outs):
            x, y = data[i]
            value, got = self.score_output(out.text, y)
            correct.append(int(value) if value in (0.0, 1.0) else value)
            traces.append(out.text[:200])
            if value < 1.0:
                read = f" (read as {got!r})" if self.scorer is None else f" (scored {value:.3g})"
                failures.append(f"Input: {x}\nExpected answer: {y}\nModel output: {out.text.strip()[:160]!r}{read}")
        score = sum(correct) / len(correct) if correct else 0.0
        feedback = (
            (f"{len(failures)} of {len(ids)} wrong.\n\n" + "\n\n".join(failures[:4]))
            if failures
            else f"all {len(ids)} correct"
        )
        return {
            "score": score,
            "feedback": feedback,
            "metrics": {
                "correct": correct,
                "items": ids,
                "split": split,
                "metric_calls": len(ids),
                "outputs": traces,
                "model_usage": usage_since(model.usage, before),
            },
        }
