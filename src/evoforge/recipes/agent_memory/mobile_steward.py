"""``mobile-steward``: memory-based self-evolution from successful executions ("MobileSteward",
Liu et al., 2025). Each successful task is summarised by the model into a titled guide; before a new
task the guides of the most similar earlier tasks (BM25 over titles and goals) are recalled into the
agent's prompt. Failed tasks add nothing. ``memory=false``: the control arm."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import register

from ._base import MemoryRun


@register("mobile-steward")
@dataclass(kw_only=True)
class MobileSteward(MemoryRun):
    summary = "successful executions summarised into guides, the most similar recalled for each new task"
    memory_kind = "guides"
