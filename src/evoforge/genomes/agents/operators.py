"""Model-driven operators on agent designs: ask the meta agent for a new or improved agent and turn
its answer into a genome, counting why answers could not be used. Picklable (holds no model)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from evoforge.core.errors import BudgetExhausted
from evoforge.llm.errors import ModelError

from .answer import parse_answer
from .genome import AgentGenomeError, design

SYSTEM = "You are an expert designer of LLM agents. You write short, correct Python."


class MetaOps:
    """One call per proposal; ``unusable`` counts the reasons answers were dropped."""

    def __init__(self, *, max_tokens: int = 1024, temperature: float = 0.8) -> None:
        self.max_tokens, self.temperature = max_tokens, temperature
        self.calls = 0
        self.unusable: Counter[str] = Counter()

    def propose(
        self,
        model: Any,
        prompt: str,
        rng: np.random.Generator,
        *,
        base: dict[str, Any] | None = None,
        tag: str = "meta",
    ) -> dict[str, Any] | None:
        """A genome from the model's answer to ``prompt``, or None (the reason is counted)."""
        self.calls += 1
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
        try:
            out = model.chat(
                messages,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                seed=int(rng.integers(0, 2**31 - 1)),
                tag=tag,
            )
        except BudgetExhausted:
            raise
        except ModelError as err:
            self.unusable[f"model call failed: {str(err)[:80]}"] += 1
            return None
        text = out[0].text if out else ""
        if not text.strip():
            self.unusable["empty model reply"] += 1
            return None
        try:
            return design(parse_answer(text, base=base))
        except AgentGenomeError as err:
            self.unusable[str(err)[:100]] += 1
            return None

    def report(self) -> str:
        if not self.unusable:
            return f"meta-agent calls: {self.calls}, every answer usable"
        lines = [f"meta-agent calls: {self.calls}, unusable answers: {sum(self.unusable.values())}"]
        lines += [f"  {n} x {why}" for why, n in self.unusable.most_common(5)]
        return "\n".join(lines)
