"""Iterative deepening sampling, from "Iterative Deepening Sampling for Large Language Models" (Chen
et al., 2025): sample answers, and when the verifier does not accept them, sample again with more
self-correction triggers injected ("Wait, let me re-check ...") so the model revises its own answer
without being told what is wrong. Depth d = d trigger rounds after the first answer; the depth grows
each time a whole batch fails, up to ``max_depth`` (self-correction in the sense of "The Capacity for
Moral Self-Correction": an instruction to re-check, no external critique)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.model_call import NO_CALL, ModelCall
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.prompts.solutions import problem_of

TRIGGERS = [
    "Wait, let me re-check every constraint before answering.",
    "Hmm, is that really right? Let me verify it step by step.",
    "Let me double-check the answer against the problem once more.",
]


@register("iterative-deepening")
@dataclass(kw_only=True)
class IterativeDeepening(Recipe):
    summary = "sample; on failure, resample with more self-correction triggers (growing depth)"
    genomes = ("solution",)
    needs_model = True
    dedupe = False

    batch_size: int = param(4, low=1, help="answers per batch")
    max_depth: int = param(3, low=0, help="most self-correction rounds after the first answer")
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")
    max_tokens: int = param(48, low=1, help="cap on every answer")

    problem: str = state("")  # the task's PROBLEM statement
    depth: int = state(0)  # trigger rounds used now
    solved: bool = state(False)  # a batch reached the checker's full score

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.problem = problem_of(task)
        self.depth = 0
        self.solved = False

    def _sample(self, rng: np.random.Generator, depth: int) -> tuple[str, list[str], ModelCall]:
        """The final solution, the drafts before it, and the last request with its raw answer."""
        msgs = [{"role": "user", "content": self.problem}]
        drafts, call = [], NO_CALL
        for d in range(depth + 1):
            out = self.model.chat(
                msgs,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                seed=int(rng.integers(0, 2**31 - 1)),
                tag=f"depth{d}",
            )
            raw = out[0].text if out else ""
            call, text = ModelCall.of(msgs, raw), raw.strip()
            drafts.append(text)
            trigger = TRIGGERS[d % len(TRIGGERS)]
            msgs = msgs + [
                {"role": "assistant", "content": text},
                {"role": "user", "content": f"{trigger} Then give the final solution only."},
            ]
        return drafts[-1], drafts, call

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        out = []
        for _ in range(n):
            text, drafts, call = self._sample(rng, self.depth)
            info = {"depth": self.depth, "drafts": [d[:200] for d in drafts[:-1]]}
            out.append(Candidate(genome=text, operator=f"depth{self.depth}", info=info, call=call))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        ok = [c for c in candidates if c.ok]
        if ok and max(c.fitness() for c in ok) >= 1.0:
            self.solved = True
        elif not self.solved:
            self.depth = min(self.max_depth, self.depth + 1)
