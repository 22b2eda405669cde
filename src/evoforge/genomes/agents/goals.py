"""Self-set goals on the text phone (for ``autotelic``): goals with reward functions written by a model,
checked against the phone's state, and trajectories relabelled with what they achieved.

A reward function is model-written Python, ``def reward(before, after) -> bool`` over two phone states
(``{"contacts": [...], "notes": [...], "events": [...]}``, before and after a trajectory). It never runs
in this process: the ``autotelic`` recipe runs them in the sandbox (``recipes/_goal_rewards.py``).
:func:`end_state` replays a logged
trajectory on a fresh :class:`~.apps.Phone` (the phone is deterministic) to get the state it left.
"""

from __future__ import annotations

import re
from typing import Any

from evoforge.genomes.agents.memory.base import json_value, text

from .phone.apps import AppError, Phone

MAX_CODE = 2000


def end_state(initial: dict[str, Any], trajectory: list[dict[str, Any]]) -> dict[str, Any]:
    """The phone's data after replaying ``trajectory`` (refused actions are refused again)."""
    phone = Phone(initial)
    for step in trajectory:
        try:
            phone.act(str(step.get("action")), *[str(a) for a in step.get("args") or []])
        except AppError:
            pass
    return phone.data


def parse_goals(reply: str | None, limit: int = 3) -> list[dict[str, str]]:
    """``[{"goal", "reward"}]`` from a model's reply (a JSON object or a list of them); unusable
    entries (no text, no ``def reward``, too long) are left out."""
    if not reply:
        return []
    found = json_value(reply, list)
    if found is None:
        one = json_value(reply, dict)
        found = [one] if one else []
    out = []
    for entry in found[:limit]:
        if not isinstance(entry, dict):
            continue
        goal, code = text(entry.get("goal"), 200), entry.get("reward")
        if goal and isinstance(code, str) and len(code) <= MAX_CODE and re.search(r"^def reward\(", code, re.M):
            out.append({"goal": goal, "reward": code})
    return out


def describe_state(data: dict[str, Any]) -> str:
    """The phone's data, short, for a prompt."""
    parts = [
        "Contacts: " + "; ".join(f"{c.get('name')} ({c.get('phone')}, {c.get('email')})" for c in data["contacts"]),
        "Notes: " + "; ".join(f"{n.get('title')}: {n.get('body')}" for n in data["notes"]),
        "Events: " + "; ".join(f"{e.get('title')} {e.get('date')} {e.get('time')}" for e in data["events"]),
    ]
    return "\n".join(p[:600] for p in parts)


REWARD_API = (
    "A reward function is Python: def reward(before, after): return True when the goal is achieved. "
    "before and after are the phone's data: {'contacts': [{'name', 'phone', 'email'}], 'notes': "
    "[{'title', 'body'}], 'events': [{'title', 'date', 'time'}]} (phones digits only, dates YYYY-MM-DD, "
    "times HH:MM)."
)
