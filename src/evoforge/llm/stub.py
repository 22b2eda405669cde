"""A fixed-latency stand-in for a model endpoint, for timing orchestration only.

:class:`LatencyStub` answers every request after ``latency`` seconds with text from ``answer(i)``
(``i`` counts requests from 0), however many requests are in flight; like every model it records the
most requests it had in flight at once (``peak_in_flight``). Served with :func:`evoforge.llm.start_server_in_thread`
it is an OpenAI-compatible endpoint on 127.0.0.1 that any system can be pointed at. It measures how
well a loop overlaps waiting and evaluating; it knows nothing, so it never stands in for a model where
the quality of answers is measured.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from .base import Model
from .types import Completion, Request


class LatencyStub(Model):
    backend = "stub"

    def __init__(self, answer: Callable[[int], str], latency: float = 2.0, name: str = "stub") -> None:
        super().__init__(name, max_concurrency=1024)
        self.answer, self.latency = answer, float(latency)
        self._count = itertools.count()

    def _generate(self, req: Request) -> list[Completion]:
        i = next(self._count)
        time.sleep(self.latency)
        text = self.answer(i)
        return [Completion(text=text, prompt_tokens=1, completion_tokens=1, finish_reason="stop") for _ in range(req.n)]
