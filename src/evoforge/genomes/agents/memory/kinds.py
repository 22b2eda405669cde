"""Memories of experience with a phone agent: Tips and Shortcuts, and guides of successful runs.

- :class:`TipsShortcuts` (as in Mobile-Agent-E): Tips are general lessons as text; Shortcuts are JSON
  ``{"name", "arguments", "description", "precondition", "atomic_action_sequence": [{"name": action,
  "arguments_map": {parameter: value}}]}`` where ``{argument}`` in a value stands for a shortcut
  argument (``"Meet {name}"``) and the rest is typed as it is. After every task one reflector
  call rewrites the tips and may add a shortcut; a shortcut is kept only when every step is a known
  atomic action and every argument it names is declared.
- :class:`Guides` (as in MobileSteward): a successful execution is summarised into a titled guide;
  a new task recalls the guides of the most similar earlier tasks (BM25 over title and goal).

:mod:`.memory_store` holds the long-term store and the voted insight rules.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evoforge.genomes.agents.phone.apps import ACTIONS
from evoforge.genomes.agents.tools import BM25

from .base import (
    Memory,
    MemoryFormatError,
    NoMemory,
    Reflect,
    count,
    json_value,
    render_outcome,
    render_trajectory,
    text,
)
from .goal_tree import GoalTree
from .store import Insights, LongTerm

ATOMIC = tuple(a for a in ACTIONS if a != "screen")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_ARG = re.compile(r"\{(\w+)\}")
ACTION_API = "open_app(app), tap(label), type(field, text), back()"


class TipsShortcuts(Memory):
    kind = "tips-shortcuts"
    max_tips, max_shortcuts, max_steps = 8, 8, 12

    def __init__(self) -> None:
        super().__init__()
        self.tips: list[str] = []
        self.shortcuts: dict[str, dict[str, Any]] = {}

    def recall(self, context: dict[str, Any]) -> str:
        return "\n".join(f"- {t}" for t in self.tips)

    def parts(self, context: dict[str, Any]) -> dict[str, str]:
        return {"memory": self.recall(context), "shortcuts": json.dumps(list(self.shortcuts.values()))}

    def update(self, trajectory: list[dict[str, Any]], outcome: dict[str, Any], reflect: Reflect) -> str:
        prompt = (
            "You are the experience reflector of a phone agent. After each task you update what it carries to "
            "later tasks:\n- Tips: general lessons, one short sentence each (at most 8).\n- Shortcuts: reusable "
            'action sequences, as JSON {"name": "add_contact", "arguments": ["name", "phone"], "description": "...", '
            '"precondition": "...", "atomic_action_sequence": [{"name": "open_app", "arguments_map": {"app": '
            '"Contacts"}}, {"name": "type", "arguments_map": {"field": "name", "text": "{name}"}}, ...]}. '
            f"Atomic actions: {ACTION_API}. In an arguments_map value, {{argument}} stands for a shortcut "
            f"argument; the rest is used as it is.\n\n{render_outcome(outcome)}\nActions taken:\n"
            f"{render_trajectory(trajectory)}\n\nCurrent tips:\n{self.recall({}) or '(none)'}\nCurrent shortcuts: "
            f"{', '.join(self.shortcuts) or '(none)'}\n\n"
            'Reply with one JSON object: {"tips": ["...", ...], "new_shortcut": {...} or null}'
        )
        reply = self._ask(reflect, prompt)
        found = json_value(reply or "")
        if found is None:
            self.unusable += reply is not None
            return "reflection unusable"
        raw = found.get("tips")
        tips = [t for t in (text(x, 200) for x in raw) if t] if isinstance(raw, list) else []
        notes = []
        if tips:
            self.tips = list(dict.fromkeys(tips))[: self.max_tips]
            notes.append(f"{len(self.tips)} tips")
        shortcut = checked_shortcut(found.get("new_shortcut"))
        if not isinstance(raw, list) and shortcut is None and found.get("new_shortcut") is not None:
            self.unusable += 1
            return "reflection unusable"
        if shortcut is not None and (shortcut["name"] in self.shortcuts or len(self.shortcuts) < self.max_shortcuts):
            self.shortcuts[shortcut["name"]] = shortcut
            notes.append(f"shortcut {shortcut['name']}")
        return ", ".join(notes) or "nothing new"

    def entries(self) -> list[Any]:
        return [{"tip": t} for t in self.tips] + [{"shortcut": s} for s in self.shortcuts.values()]

    def load_entries(self, entries: list[Any]) -> None:
        for e in entries:
            if isinstance(e, dict) and text(e.get("tip")):
                self.tips.append(text(e["tip"], 200))
            elif isinstance(e, dict) and (s := checked_shortcut(e.get("shortcut"))) is not None:
                self.shortcuts[s["name"]] = s
            else:
                raise MemoryFormatError("a tips-shortcuts entry is {'tip': text} or {'shortcut': a valid shortcut}")
        self.tips = self.tips[: self.max_tips]


def checked_shortcut(value: Any, max_steps: int = TipsShortcuts.max_steps) -> dict[str, Any] | None:
    """A shortcut in Mobile-Agent-E's format, cleaned, or None when it is not usable."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not _NAME.fullmatch(value["name"]):
        return None
    if value["name"] in ACTIONS or value["name"] == "finish":
        return None
    arguments = value.get("arguments") or []
    if not isinstance(arguments, list) or not all(isinstance(a, str) and _NAME.fullmatch(a) for a in arguments):
        return None
    steps = value.get("atomic_action_sequence")
    if not isinstance(steps, list) or not 1 <= len(steps) <= max_steps:
        return None
    clean = []
    for step in steps:
        if not isinstance(step, dict) or step.get("name") not in ATOMIC:
            return None
        mapping = step.get("arguments_map") or {}
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            return None
        if not set(_ARG.findall(" ".join(mapping.values()))) <= set(arguments):
            return None  # refers to an argument the shortcut does not take
        clean.append({"name": step["name"], "arguments_map": {str(k): text(v, 100) for k, v in mapping.items()}})
    return {
        "name": value["name"], "arguments": list(arguments), "description": text(value.get("description"), 200),
        "precondition": text(value.get("precondition"), 200) or "any screen", "atomic_action_sequence": clean,
    }  # fmt: skip


class Guides(Memory):
    kind = "guides"
    max_guides, shown = 20, 2

    def __init__(self) -> None:
        super().__init__()
        self.guides: list[dict[str, Any]] = []  # {"title", "goal", "guide", "successes"}

    def recall(self, context: dict[str, Any]) -> str:
        if not self.guides:
            return ""
        index = BM25([f"{g['title']} {g['goal']}" for g in self.guides])
        scores = index.scores(str(context.get("question") or ""))
        best = sorted(range(len(self.guides)), key=lambda i: (-scores[i], i))[: self.shown]
        return "\n\n".join(
            f"Guide: {self.guides[i]['title']}\n{self.guides[i]['guide']}" for i in best if scores[i] > 0
        )

    def update(self, trajectory: list[dict[str, Any]], outcome: dict[str, Any], reflect: Reflect) -> str:
        if not outcome.get("success"):
            return "failed task: no guide"
        prompt = (
            "A phone agent succeeded at a task. Summarise its execution into a short guide that will help with "
            "similar tasks later: the general steps, with the exact formats and buttons that worked, not the "
            f"particular names or numbers.\n\n{render_outcome(outcome)}\n"
            f"Actions taken:\n{render_trajectory(trajectory)}"
            '\n\nReply with one JSON object: {"title": "<the kind of task, a few words>", "guide": "<the steps>"}'
        )
        reply = self._ask(reflect, prompt)
        found = json_value(reply or "") or {}
        title, guide = text(found.get("title"), 80), text(found.get("guide"), 600)
        if not title or not guide:
            self.unusable += reply is not None
            return "reflection unusable"
        old = next((g for g in self.guides if g["title"].lower() == title.lower()), None)
        successes = old["successes"] + 1 if old else 1
        self.guides = [g for g in self.guides if g is not old]
        self.guides.append(
            {"title": title, "goal": text(outcome.get("goal"), 300), "guide": guide, "successes": successes}
        )
        if len(self.guides) > self.max_guides:
            self.guides.remove(min(self.guides, key=lambda g: g["successes"]))
        return f"guide {title!r}"

    def entries(self) -> list[Any]:
        return list(self.guides)

    def load_entries(self, entries: list[Any]) -> None:
        for e in entries:
            if not isinstance(e, dict) or not text(e.get("title")) or not text(e.get("guide")):
                raise MemoryFormatError("a guides entry is {'title', 'goal', 'guide', 'successes'}")
            n = e.get("successes")
            self.guides.append({
                "title": text(e["title"], 80), "goal": text(e.get("goal"), 300), "guide": text(e["guide"], 600),
                "successes": n if isinstance(n, int) and n > 0 else 1,
            })  # fmt: skip
        self.guides = self.guides[-self.max_guides :]


KINDS: dict[str, type[Memory]] = {
    "none": NoMemory,
    "tips-shortcuts": TipsShortcuts,
    "guides": Guides,
    "long-term": LongTerm,
    "insights": Insights,
    "goal-tree": GoalTree,
}


def load_memory(data: Any) -> Memory:
    """A memory from its JSON state (e.g. a file from an earlier run), checked; never unpickled."""
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise MemoryFormatError(f"a memory state is a JSON object with 'kind' in {', '.join(KINDS)}")
    memory = KINDS[data["kind"]]()
    entries = data.get("entries") or []
    if not isinstance(entries, list):
        raise MemoryFormatError("memory 'entries' must be a list")
    memory.load_entries(entries)
    memory.reflections, memory.unusable = count(data.get("reflections")), count(data.get("unusable"))
    return memory


def new_memory(kind: str) -> Memory:
    if kind not in KINDS:
        raise MemoryFormatError(f"no memory kind {kind!r} (kinds: {', '.join(KINDS)})")
    return KINDS[kind]()
