"""Model calls the agent-design recipes make themselves besides :class:`~evoforge.genomes.agents.operators.MetaOps`
(hypotheses, expert settings, value estimates, a discriminator's choice): text or a JSON object, with
the reasons unusable replies were dropped counted. Picklable (holds no model)."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import numpy as np

from evoforge.core.errors import BudgetExhausted
from evoforge.llm.errors import ModelError

SYSTEM = "You are an expert designer of LLM agents. You answer briefly and exactly in the format asked."


class Calls:
    """One model call per request; ``unusable`` counts why replies could not be used."""

    def __init__(self, *, max_tokens: int = 512, temperature: float = 0.8) -> None:
        self.max_tokens, self.temperature = max_tokens, temperature
        self.calls = 0
        self.unusable: Counter[str] = Counter()

    def text(self, model: Any, prompt: str, rng: np.random.Generator, *, tag: str, system: str = SYSTEM) -> str | None:
        """The reply to ``prompt``, or None (failed or empty; the reason is counted)."""
        self.calls += 1
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        try:
            out = model.chat(
                messages, temperature=self.temperature, max_tokens=self.max_tokens,
                seed=int(rng.integers(0, 2**31 - 1)), tag=tag,
            )  # fmt: skip
        except BudgetExhausted:
            raise
        except ModelError as err:
            self.unusable[f"{tag}: model call failed: {str(err)[:80]}"] += 1
            return None
        text = out[0].text if out else ""
        if not text.strip():
            self.unusable[f"{tag}: empty model reply"] += 1
            return None
        return text

    def json(self, model: Any, prompt: str, rng: np.random.Generator, *, tag: str) -> dict[str, Any] | None:
        """The first JSON object in the reply, or None (the reason is counted)."""
        text = self.text(model, prompt, rng, tag=tag)
        if text is None:
            return None
        decoder, start = json.JSONDecoder(), text.find("{")
        while start >= 0:
            try:
                value, _ = decoder.raw_decode(text, start)
                if isinstance(value, dict):
                    return value
            except ValueError:
                pass
            start = text.find("{", start + 1)
        self.unusable[f"{tag}: no JSON object in the reply"] += 1
        return None

    def number(self, text: str | None, label: str, *, tag: str) -> float | None:
        """The number after the last ``label:`` in ``text`` (None, counted, if there is none)."""
        found = re.findall(rf"{label}\s*[:=]\s*(-?\d+(?:\.\d+)?)", text or "", flags=re.IGNORECASE)
        if not found:
            if text is not None:
                self.unusable[f"{tag}: no '{label}: <number>' in the reply"] += 1
            return None
        return float(found[-1])

    def report(self, what: str = "model calls") -> str:
        lines = [f"{what}: {self.calls}" + (", every reply usable" if not self.unusable else "")]
        lines += [f"  {n} x {why}" for why, n in self.unusable.most_common(5)]
        return "\n".join(lines)
