"""``long-term-memory``: a persistent long-term store read and written across tasks (after OMNE's
long-term memory, Jiang et al., 2024). After every task the model writes the facts worth keeping
(rules of the apps, data seen, what worked); each new task reads the most relevant facts by
retrieval. With ``memory_file`` the store also outlives the run. ``memory=false``: the control arm."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import register

from ._base import MemoryRun


@register("long-term-memory")
@dataclass(kw_only=True)
class LongTermMemory(MemoryRun):
    summary = "a long-term store of facts, written after every task and read by retrieval before the next"
    memory_kind = "long-term"
