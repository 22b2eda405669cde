"""Shared machinery for prompt tasks: a generated dataset, a prompt genome rendered into chat
messages, a task model called inside ``evaluate`` (in the worker process) and exact-match scoring.

A prompt genome is a dict::

    {"instruction": "...",                 # the task prompt (system message)
     "demos": [["input", "output"], ...],  # few-shot demonstrations (chat turns)
     "items": [3, 17, ...],                # optional: which train items to score on (a minibatch)
     "split": "train" | "test",            # optional: "test" scores the held-out split
     "max_tokens": 12}                     # optional: answer length (clipped to 96)

Other keys (a Promptbreeder mutation prompt, for instance) are ignored. Every scored item is one
*metric call*; ``metrics["metric_calls"]`` says how many an evaluation made.

The task model is SmolLM2-135M-Instruct (``get_model("embedded")``), greedy, one thread, created
lazily once per process with a response cache, so re-scoring a prompt on an item costs nothing.
"""
from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..llm.usage import usage_since

_MODEL: Any = None
MAX_DEMOS = 8


def task_model() -> Any:
    """The process-wide task model (created on first use; ~1 s to load)."""
    global _MODEL
    if _MODEL is None:
        _MODEL = new_task_model()
    return _MODEL


def new_task_model(cache: bool = True) -> Any:
    """A task model as ``EVOFORGE_TASK_MODEL`` (default ``embedded``), ``EVOFORGE_TASK_THREADS`` and
    ``EVOFORGE_TASK_BASE_URL`` name it; ``cache=False``: without the shared response cache."""
    from ..llm import get_model
    from ..llm.embedded import user_cache_dir

    spec = os.environ.get("EVOFORGE_TASK_MODEL", "embedded")
    opts: dict[str, Any] = {}
    if spec.startswith("embedded"):
        opts["n_threads"] = int(os.environ.get("EVOFORGE_TASK_THREADS", "1"))
    base_url = os.environ.get("EVOFORGE_TASK_BASE_URL") if spec.startswith("openai") else None
    return get_model(spec, base_url=base_url, cache=user_cache_dir() / "task-cache.sqlite" if cache else None,
                     **opts)


def set_task_model(model: Any) -> None:
    """Use ``model`` as this process's task model (tests; in-process evaluation)."""
    global _MODEL
    _MODEL = model


_MARKER = re.compile(r"(?:answer\s*(?:is|:)|sentiment\s*(?:is|:)|result\s*(?:is|:)|=)\s*", re.IGNORECASE)
_TOKEN = re.compile(r"-?\d+|[A-Za-z]+")


def extract(text: str, kind: str, labels: tuple[str, ...] = ()) -> str | None:
    """The answer in a model output: the first token after the last "Answer:"-like marker if there is
    one; otherwise the first label word (classification) or the last number (numeric)."""
    text = text.strip()
    marks = list(_MARKER.finditer(text))
    tail = text[marks[-1].end():] if marks else None
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


@dataclass
class PromptTask:
    """A generated prompt task: ``generate(rng) -> (input, answer)``; answers compared exactly."""

    name: str
    description: str
    generate: Callable[[random.Random], tuple[str, str]]
    kind: str = "label"                    # "label" or "number"
    labels: tuple[str, ...] = ()
    seed_instruction: str = ""
    cot_instruction: str = ""             # the hand-written chain-of-thought baseline
    n_train: int = 200
    n_test: int = 300
    max_tokens: int = 12
    _data: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    # -- data ---------------------------------------------------------------------------------
    def split(self, name: str) -> list[tuple[str, str]]:
        """``train`` (fitness minibatches, demos) or ``test`` (held out); disjoint, deterministic."""
        if not self._data:
            rng = random.Random(f"{self.name}-data")
            seen: set[str] = set()
            train: list[tuple[str, str]] = []
            test: list[tuple[str, str]] = []
            for target, size in ((train, self.n_train), (test, self.n_test)):
                tries = 0
                while len(target) < size and tries < 100 * size:
                    tries += 1
                    x, y = self.generate(rng)
                    if x not in seen:
                        seen.add(x)
                        target.append((x, y))
            self._data = {"train": train, "test": test}
        return self._data[name]

    # -- prompting ----------------------------------------------------------------------------
    @staticmethod
    def messages(genome: dict[str, Any], x: str) -> list[dict[str, str]]:
        instruction = str(genome.get("instruction") or "").strip()
        msgs = [{"role": "system", "content": instruction}] if instruction else []
        for demo in list(genome.get("demos") or [])[:MAX_DEMOS]:
            msgs += [{"role": "user", "content": str(demo[0])}, {"role": "assistant", "content": str(demo[1])}]
        msgs.append({"role": "user", "content": x})
        return msgs

    def score_output(self, text: str, answer: str) -> tuple[bool, str | None]:
        got = extract(text, self.kind, self.labels)
        return (got is not None and got.lower() == answer.lower()), got

    # -- the evaluator ------------------------------------------------------------------------
    def evaluate(self, genome: Any, model: Any = None) -> dict[str, Any]:
        if isinstance(genome, str):
            genome = {"instruction": genome}
        if not isinstance(genome, dict):
            raise TypeError("a prompt genome is a dict with 'instruction' and 'demos'")
        split = genome.get("split", "train")
        data = self.split(split)
        ids = genome.get("items")
        ids = list(range(min(len(data), 20))) if ids is None else [int(i) % len(data) for i in ids]
        max_tokens = max(1, min(96, int(genome.get("max_tokens", self.max_tokens))))
        model = model or task_model()
        convs = [self.messages(genome, data[i][0]) for i in ids]
        before = model.usage.total
        outs = model.chat(convs, temperature=0.0, max_tokens=max_tokens, tag="metric")
        correct, failures, traces = [], [], []
        for i, out in zip(ids, outs):
            x, y = data[i]
            ok, got = self.score_output(out.text, y)
            correct.append(int(ok))
            traces.append(out.text[:200])
            if not ok:
                failures.append(f"Input: {x}\nExpected answer: {y}\nModel output: {out.text.strip()[:160]!r}"
                                f" (read as {got!r})")
        score = sum(correct) / len(correct) if correct else 0.0
        feedback = (f"{len(failures)} of {len(ids)} wrong.\n\n" + "\n\n".join(failures[:4])) if failures \
            else f"all {len(ids)} correct"
        return {"score": score, "feedback": feedback,
                "metrics": {"correct": correct, "items": ids, "split": split, "metric_calls": len(ids),
                            "outputs": traces, "model_usage": usage_since(model.usage, before)}}
