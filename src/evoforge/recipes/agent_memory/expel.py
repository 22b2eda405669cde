"""``expel``: insight rules learned from experience ("ExpeL: LLM Agents Are Experiential Learners",
Zhao et al., 2024). After every task the model compares what the agent did with the outcome and
votes on the rules: ADD a rule, EDIT one, AGREE with one or REMOVE one; importance counts decide
which rules stay and which are recalled. ``memory=false``: the control arm."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import register

from ._base import MemoryRun


@register("expel")
@dataclass(kw_only=True)
class Expel(MemoryRun):
    summary = "insight rules voted on (ADD / EDIT / AGREE / REMOVE) after each task, recalled by importance"
    memory_kind = "insights"
