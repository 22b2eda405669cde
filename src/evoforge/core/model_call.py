"""How a child was made: the request a model received and the raw answer the child came from.

A recipe sets ``Candidate.call`` on the children it makes: a :class:`ModelCall` with the chat messages
sent and the answer, or :data:`NO_CALL` for a child made without a model (constant tuning, crossover,
context shuffling). ``None`` means not recorded (recipes that do not say, older run files). The engine
takes the call off the candidate when it is asked (so recipe state and evaluation workers never carry
it) and the store keeps it in its ``calls`` table, each distinct text once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Message = dict[str, str]  # {"role": ..., "content": ...}


@dataclass(frozen=True)
class ModelCall:
    """The chat ``messages`` a model received and its ``answer``; ``called`` is False for a child
    that no model call made (then both are empty)."""

    messages: tuple[Message, ...] = ()
    answer: str = ""
    called: bool = True

    @classmethod
    def of(cls, messages: list[dict[str, Any]], answer: str) -> ModelCall:
        """The record of one request (``messages`` copied as role/content pairs) and its answer."""
        return cls(tuple({"role": str(m["role"]), "content": str(m["content"])} for m in messages), str(answer))

    def to_json(self) -> dict[str, Any]:
        return {"model_called": self.called, "messages": [dict(m) for m in self.messages], "answer": self.answer}


NO_CALL = ModelCall(called=False)
