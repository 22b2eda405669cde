"""Scripted models for the multi-agent tests (Model subclasses: real usage meter and budget). Only for
unit tests: never behind the CLI's defaults, a benchmark or the docs."""

from __future__ import annotations

import random
import re

from evoforge.llm.base import Model
from evoforge.llm.types import Completion


class Scripted(Model):
    """Answers each prompt with ``reply(prompt, rng)``; ``rng`` is seeded by the request's seed."""

    backend = "scripted"

    def __init__(self, name: str = "scripted") -> None:
        super().__init__(name)
        self.prompts: list[str] = []

    def _generate(self, req):
        text = req.input if isinstance(req.input, str) else "\n".join(m["content"] for m in req.input)
        self.prompts.append(text)
        rng = random.Random(req.seed)
        return [Completion(self.reply(text, rng), "stop", 10, 5)] * req.n

    def reply(self, prompt: str, rng: random.Random) -> str:
        raise NotImplementedError


class Negotiator(Scripted):
    """Keeps what it values; greedy players ask for more. Accepts when the table gives it enough.
    One reply in ``garbage`` is noise (an invalid move)."""

    def __init__(self, garbage: float = 0.1) -> None:
        super().__init__("negotiator")
        self.garbage = garbage

    def reply(self, prompt: str, rng: random.Random) -> str:
        if rng.random() < self.garbage:
            return "hmm, let me think about the weather"
        counts = [int(x) for x in re.findall(r"(\d+) (?:books|hats|balls)", prompt.split("Your values")[0])]
        values = [int(x) for x in re.findall(r"(?:book|hat|ball)=(\d+)", prompt.split("Dialogue:")[0])[:3]]
        if len(counts) != 3 or len(values) != 3:
            return "WALK"
        last = re.findall(r"^Them: PROPOSE books=(\d+) hats=(\d+) balls=(\d+)", prompt, re.M)
        need = rng.choice([3, 5, 7])
        if last:
            mine = sum(v * (c - int(t)) for v, c, t in zip(values, counts, last[-1]))
            if mine >= need:
                return "ACCEPT"
        take = [c if v * c >= 2 or (v and rng.random() < 0.5) else 0 for v, c in zip(values, counts)]
        return f"PROPOSE books={take[0]} hats={take[1]} balls={take[2]}"
