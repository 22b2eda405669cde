"""``mobile-agent-e``: Tips and Shortcuts carried from task to task ("Mobile-Agent-E: Self-Evolving
Mobile Assistant for Complex Tasks", Wang et al., 2025). After every task a reflector reads the
trajectory and outcome, rewrites the Tips (general lessons, text) and may add a Shortcut (JSON:
``name``, ``arguments``, ``precondition``, ``atomic_action_sequence``), which the agent can then call
as one action. ``memory=false`` runs the same agent without them (the control arm)."""

from __future__ import annotations

from dataclasses import dataclass

from evoforge.core.recipe import register

from ._base import MemoryRun


@register("mobile-agent-e")
@dataclass(kw_only=True)
class MobileAgentE(MemoryRun):
    summary = "an agent's Tips and Shortcuts, updated by a reflector after each task, carried to later tasks"
    memory_kind = "tips-shortcuts"
