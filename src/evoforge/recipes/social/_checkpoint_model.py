"""A trainable checkpoint behind the :class:`~evoforge.llm.base.Model` interface, metered by the run.

Recipes that fine-tune a policy (``self-play``) play it through this object: generation goes through
:func:`evoforge.genomes.weights.generate.generate` (plain-text prompts, the format the SFT rows use), and every
call is recorded in the run model's usage meter and refused past the run's model budget, exactly like
a call to ``--model``.
"""

from __future__ import annotations

from pathlib import Path

from evoforge.llm.base import Model
from evoforge.llm.errors import ModelError
from evoforge.llm.types import Completion, Request


class CheckpointModel(Model):
    backend = "checkpoint"

    def __init__(self, ckpt: str | Path, *, metered_by: Model, cache_dir: str | Path | None = None) -> None:
        super().__init__(str(ckpt), budget=metered_by.budget)
        self.usage = metered_by.usage  # one meter: the run's
        self.cache_dir = cache_dir

    def _generate(self, req: Request) -> list[Completion]:
        from evoforge.genomes.weights.generate import generate

        text = req.input if isinstance(req.input, str) else "\n".join(m["content"] for m in req.input)
        try:
            outs = generate(
                self.name, [text], n=req.n, temperature=req.temperature, top_p=req.top_p,
                max_new_tokens=req.max_tokens, seed=req.seed or 0, stop="\n", batch_size=max(1, req.n),
                cache=self.cache_dir,
            )  # fmt: skip
        except (OSError, ValueError, RuntimeError) as err:  # a missing or broken checkpoint, a torch error
            raise ModelError(f"checkpoint {self.name}: {type(err).__name__}: {err}"[:300]) from None
        return [Completion(o, "stop", len(text) // 4, max(1, len(o) // 4)) for o in outs[0]]
