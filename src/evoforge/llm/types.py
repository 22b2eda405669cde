"""Plain data types shared by every backend."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeAlias

Message: TypeAlias = dict[str, str]
"""One chat message: ``{"role": "system"|"user"|"assistant", "content": str}``."""

Messages: TypeAlias = list[Message]
Kind = Literal["chat", "complete"]


@dataclass(frozen=True)
class Completion:
    """One generated sample.

    ``finish_reason`` is ``"stop"`` (end of text or a stop sequence), ``"length"``
    (ran to ``max_tokens``) or ``"timeout"``; an empty ``text`` is reported as is.
    ``cached`` is True when the sample came from the response cache (no tokens spent).
    """

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, cached: bool | None = None) -> Completion:
        c = cls(
            text=str(d["text"]),
            finish_reason=str(d["finish_reason"]),
            prompt_tokens=int(d["prompt_tokens"]),
            completion_tokens=int(d["completion_tokens"]),
            cached=bool(d.get("cached", False)),
        )
        if cached is not None and cached != c.cached:
            c = cls(c.text, c.finish_reason, c.prompt_tokens, c.completion_tokens, cached)
        return c


@dataclass(frozen=True)
class Request:
    """One prompt (chat or plain) with its sampling parameters; ``n`` samples are wanted."""

    kind: Kind
    input: Messages | str
    n: int = 1
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 256
    stop: tuple[str, ...] = field(default_factory=tuple)
    seed: int | None = None

    def sample_seed(self, i: int) -> int | None:
        """Seed of sample ``i``: ``seed + i`` so that samples differ yet replay exactly."""
        return None if self.seed is None else self.seed + i

    def params(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": list(self.stop),
            "seed": self.seed,
        }
