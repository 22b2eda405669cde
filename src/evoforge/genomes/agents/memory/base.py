"""Agent memory: what an agent carries from one task to the next, behind one small interface.

A :class:`Memory` turns a task's context into text for the agent's prompt (:meth:`~Memory.recall`;
:meth:`~Memory.parts` adds machine-readable parts such as shortcuts) and folds a finished task's
trajectory and outcome in (:meth:`~Memory.update`, with at most one call to a reflector model). Its
:meth:`~Memory.state` is plain JSON (kind, entries, counters): recipes keep it in their checkpointed
state, reports print it, and :func:`load_memory` reads it back from untrusted JSON, checked and capped.

The kinds (:mod:`.memory_kinds`): ``none`` (the control), ``tips-shortcuts`` (Tips and Shortcuts
updated by a reflector after each task), ``guides`` (summaries of successful executions),
``long-term`` (a store of facts read by retrieval and written after every task) and ``insights``
(rules voted on with ADD / EDIT / AGREE / REMOVE).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

Reflect = Callable[[str], "str | None"]  # prompt -> the reflector model's reply, or None when the call failed
MAX_TEXT = 400


class MemoryFormatError(ValueError):
    """A memory state that cannot be read (wrong kind, wrong types); the message says what, in one line."""


class Memory:
    """Base class: JSON state in, JSON state out; ``reflections`` / ``unusable`` count reflector replies."""

    kind: ClassVar[str] = ""

    def __init__(self) -> None:
        self.reflections = 0
        self.unusable = 0

    # -- the interface ----------------------------------------------------------------------------
    def recall(self, context: dict[str, Any]) -> str:
        """Text for the agent's prompt about the task described by ``context`` (its ``question``)."""
        return ""

    def parts(self, context: dict[str, Any]) -> dict[str, str]:
        """The agent's memory parts for one task: ``memory`` (text) and ``shortcuts`` (JSON list)."""
        return {"memory": self.recall(context), "shortcuts": "[]"}

    def update(self, trajectory: list[dict[str, Any]], outcome: dict[str, Any], reflect: Reflect) -> str:
        """Fold one finished task in; returns one line saying what changed."""
        return "no memory"

    def entries(self) -> list[Any]:
        """The JSON-able entries of this memory (its state without the counters)."""
        return []

    def load_entries(self, entries: list[Any]) -> None:
        """Set the entries from untrusted JSON; raise :class:`MemoryFormatError` when unreadable."""

    # -- state ------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "entries": self.entries(),
            "reflections": self.reflections,
            "unusable": self.unusable,
        }

    def describe(self, limit: int = 12) -> str:
        """The memory as text for ``evoforge show``: one JSON line per entry (at most ``limit``)."""
        listed = self.entries()
        lines = [
            f"memory {self.kind}: {len(listed)} entries, {self.reflections} reflections ({self.unusable} unusable)"
        ]
        lines += [f"  {json.dumps(e, ensure_ascii=False)[:300]}" for e in listed[:limit]]
        return "\n".join(lines + ([f"  ... {len(listed) - limit} more"] if len(listed) > limit else []))

    def _ask(self, reflect: Reflect, prompt: str) -> str | None:
        self.reflections += 1
        reply = reflect(prompt)
        if not reply or not reply.strip():
            self.unusable += 1
            return None
        return reply


class NoMemory(Memory):
    """The control: recalls nothing, learns nothing, makes no model calls."""

    kind = "none"


def with_memory(agent: dict[str, Any], memory: Memory, item: dict[str, Any]) -> dict[str, Any]:
    """The agent's genome for one task, its memory parts filled from ``memory``'s recall of ``item``."""
    return {**agent, "parts": {**(agent.get("parts") or {}), **memory.parts(item)}}


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """A short single-spaced string from untrusted JSON (anything else: empty)."""
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def json_value(reply: str, kind: type = dict) -> Any:
    """The first JSON value of type ``kind`` in a model's reply (fenced or not), or None."""
    decoder = json.JSONDecoder()
    opener = "{" if kind is dict else "["
    start = reply.find(opener)
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(reply, start)
            if isinstance(value, kind):
                return value
        except ValueError:
            pass
        start = reply.find(opener, start + 1)
    return None


def render_trajectory(trajectory: list[dict[str, Any]], limit: int = 30) -> str:
    """The actions of a task, one per line, with the screen or error each got."""
    lines = []
    for i, step in enumerate(trajectory[:limit], 1):
        args = ", ".join(repr(str(a)) for a in step.get("args") or [])
        got = f"Error: {step['error']}" if step.get("error") else str(step.get("screen") or "")
        lines.append(f"{i}. {step.get('action')}({args}) -> {got[:160]}")
    if len(trajectory) > limit:
        lines.append(f"... {len(trajectory) - limit} more actions")
    return "\n".join(lines) or "(no actions)"


def render_outcome(outcome: dict[str, Any]) -> str:
    verdict = "SUCCESS" if outcome.get("success") else "FAILURE"
    return f"Task: {outcome.get('goal', '')}\nOutcome: {verdict} (score {float(outcome.get('score') or 0):.2f})"


def count(value: Any) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
