"""An agent's policy as trainable weights: a :class:`~evoforge.llm.base.Model` over a checkpoint
directory (:mod:`evoforge.genomes.weights`), and a recorder that keeps every (prompt, reply) of an episode.

The agents (phone, ReAct search) make chat calls; :func:`render` turns a chat into the plain-text prompt
the checkpoint completes, and the same text is the ``prompt`` of a training row, so what the weights
learn is exactly what they are later asked. A reply is one line (generation stops at a newline).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evoforge.llm.base import Model
from evoforge.llm.types import Completion


def render(messages: list[dict[str, Any]]) -> str:
    """The plain-text prompt of a chat (the policy's input and a training row's prompt)."""
    return "\n\n".join(str(m.get("content", "")) for m in messages).strip() + "\nReply: "


class CheckpointModel(Model):
    """Sampling from a checkpoint (full or LoRA; seeded and cached on disk by
    :func:`evoforge.genomes.weights.generate.generate`). ``temperature``, when set, replaces the caller's;
    ``salt`` shifts every seed, so the k-th exploration of an item differs from the others."""

    backend = "checkpoint"

    def __init__(self, ckpt: str | Path, *, temperature: float | None = None, salt: int = 0,
                 cache_dir: str | Path | None = None) -> None:  # fmt: skip
        super().__init__(f"checkpoint:{Path(ckpt).name}")
        self.ckpt, self.temperature, self.salt, self.cache_dir = Path(ckpt), temperature, salt, cache_dir

    def _generate(self, req: Any) -> list[Completion]:
        from .generate import generate

        prompt = render(req.input) if isinstance(req.input, list) else str(req.input)
        temperature = req.temperature if self.temperature is None else self.temperature
        outs = generate(
            self.ckpt, [prompt], n=req.n, temperature=temperature, max_new_tokens=req.max_tokens,
            seed=(req.seed or 0) + 7919 * self.salt, stop="\n", batch_size=max(1, req.n), cache=self.cache_dir,
        )[0]  # fmt: skip
        return [Completion(text.strip() or "(nothing)", "stop", len(prompt) // 4, len(text) // 4) for text in outs]


class Recorder:
    """A model proxy that keeps each chat's rendered prompt and reply (``log``); usage is the model's."""

    def __init__(self, model: Any) -> None:
        self.model, self.log = model, []

    @property
    def usage(self) -> Any:
        return self.model.usage

    def chat(self, messages: Any, **kw: Any) -> Any:
        out = self.model.chat(messages, **kw)
        if out:
            self.log.append({"prompt": render(messages), "completion": out[0].text.strip().split("\n")[0] + "\n"})
        return out
