"""Scripted models for the goal tests (Model subclasses: real usage meter, cache, budget); only for
unit tests. The phone agent is the memory tests' scripted agent (it follows lessons in its prompt);
the planner/reflector, goal proposer and relabeller below answer the goal recipes' prompts."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "agents_memory"))

from memory_helpers import LESSONS, ScriptedPhoneModel

from evoforge.llm.types import Completion

MISLEADING = "Ask the owner to confirm before every change"
PLAN = ["Add contacts in the Contacts app", "Add calendar events in the Calendar app", "Write notes in the Notes app",
        MISLEADING]  # fmt: skip


def note_goal(title: str, body: str) -> dict:
    test = f"n.get('title') == {title!r} and {body!r} in n.get('body', '')"
    code = f"def reward(before, after):\n    return any({test} for n in after['notes'])\n"
    return {"goal": f"Create a note titled '{title}' that says '{body}'.", "reward": code}


PROPOSALS = [
    note_goal("Ideas2", "tea"),
    {"goal": "Loop forever.", "reward": "def reward(before, after):\n    while True:\n        pass\n"},
    {"goal": "Escape.", "reward": "def reward(before, after):\n    open('/tmp/evoforge-escape', 'w')\n    return 0\n"},
    {"goal": "Keep the notes.", "reward": "def reward(before, after):\n    return len(after['notes']) >= 0\n"},
    {"goal": "Add a calendar event 'Swim' on 4 May 2025 at 3pm.",
     "reward": "def reward(before, after):\n    return any(e['title'] == 'Swim' and e['date'] == '2025-05-04' "
               "for e in after['events'])\n"},
    note_goal("Books2", "pens"),
]  # fmt: skip


class ScriptedGoalModel(ScriptedPhoneModel):
    def __init__(self, name: str = "scripted-goals"):
        super().__init__(name)

    def _generate(self, req):
        msgs = req.input if isinstance(req.input, list) else [{"role": "user", "content": req.input}]
        text = "\n".join(m["content"] for m in msgs)
        if "Decompose its high-level goal" in text:
            reply = "\n".join(f"ADD 0: {p}" for p in PLAN)
        elif "You keep the goal tree" in text:
            reply = self.tree_update(text)
        elif "You set goals for a phone agent" in text:
            fresh = [p for p in PROPOSALS if p["goal"] not in text] or PROPOSALS
            reply = json.dumps(fresh[0])  # stateless: a replayed run gets the same proposals
        elif "Relabel its trajectory" in text:
            saved = zip(re.findall(r"type\('title', '(.+?)'\)", text), re.findall(r"type\('body', '(.+?)'\)", text))
            reply = json.dumps([note_goal(t, b) for t, b in saved] + [note_goal("Never", "made")])
        elif "You judge trajectories" in text:
            reply = self.judge(text)
        elif "using the search tool" in text:
            reply = self.react(text)
        else:
            return super()._generate(req)
        return [Completion(reply, "stop", 100, 20)] * req.n

    def tree_update(self, prompt: str) -> str:
        tree = prompt.split("Goal tree:")[1].split("Task:")[0]
        acted = prompt.split("Actions taken:")[-1]
        ops = []
        for error, lesson in LESSONS.items():
            if f"Error: {error}" in acted and lesson not in tree:
                under = "Contacts" if error.startswith("phone") else "Calendar"
                node = re.search(rf"^\s*(\d+)\. [^\n]*{under} app", tree, re.M)
                ops.append(f"ADD {node.group(1) if node else 0}: {lesson}")
        bad = re.search(rf"^\s*(\d+)\. {MISLEADING}", tree, re.M)
        if bad:
            ops.append(f"PRUNE {bad.group(1)}")
        return "\n".join(ops) or "NO CHANGE"

    def react(self, prompt: str) -> str:
        """The ReAct agent: search for the person (then their city), finish with what was found."""
        question = re.search(r"^Question: (.*)$", prompt, re.M).group(1)
        who = re.search(r"(?:was|does) (.+?) (?:born|work)", question).group(1)
        seen = " ".join(re.findall(r"^Observation: (.*)$", prompt, re.M))
        found = re.search(rf"{re.escape(who)} was born in (\w+) and works as a (\w+)", seen)
        if not found:
            return json.dumps({"thought": "look the person up", "action": "search", "arg": who})
        city, job = found.groups()
        if "work as" in question:
            return json.dumps({"thought": "found", "action": "finish", "arg": job})
        if "city" in question:
            return json.dumps({"thought": "found", "action": "finish", "arg": city})
        country = re.search(rf"{city} is a city in (\w+)", seen)
        if not country:
            return json.dumps({"thought": "look the city up", "action": "search", "arg": f"{city} city"})
        return json.dumps({"thought": "found", "action": "finish", "arg": country.group(1)})

    def judge(self, prompt: str) -> str:
        """Best: the first trajectory whose final answer appears in what it found."""
        for i, block in enumerate(prompt.split("Trajectory ")[1:]):
            final = re.search(r'"action": "finish", "arg": "(.+?)"', block)
            if final and final.group(1) in block.split("Final step:")[0]:
                return json.dumps({"best": i, "grade": 9})
        return json.dumps({"best": 0, "grade": 2})
