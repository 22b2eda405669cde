"""A scripted model for the memory tests (a Model subclass: real usage meter, cache, budget). Only
for unit tests: never behind the CLI's defaults, a benchmark or the docs.

As the phone agent's model it follows a fixed plan per goal, one action per call: it types phone
numbers, dates and times as the goal words them unless its prompt (memory, or an error earlier in
the same task) says the app's format, and it calls a shortcut when its prompt lists one. As a
reflector it turns the errors it sees into lessons (tips, guide text, facts, ADD/AGREE votes) and
proposes the shortcut for the editor the trajectory used."""

from __future__ import annotations

import json
import re

from evoforge.llm.base import Model
from evoforge.llm.types import Completion

LESSONS = {
    "phone: digits only": "For a contact phone number, type digits only (no dashes).",
    "date: use YYYY-MM-DD": "For a calendar event date, type YYYY-MM-DD.",
    "time: use 24-hour HH:MM": "For a calendar event time, type 24-hour HH:MM.",
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
SHORTCUTS = {
    "New contact": ("add_contact", ["name", "phone"], "Contacts", [("type", {"field": "name", "text": "{name}"}),
                                                                    ("type", {"field": "phone", "text": "{phone}"})]),
    "New event": ("add_event", ["title", "date", "time"], "Calendar", [("type", {"field": "title", "text": "{title}"}),
                  ("type", {"field": "date", "text": "{date}"}), ("type", {"field": "time", "text": "{time}"})]),
    "New note": ("create_note", ["title", "body"], "Notes", [("type", {"field": "title", "text": "{title}"}),
                                                            ("type", {"field": "body", "text": "{body}"})]),
}  # fmt: skip


def shortcut(label: str) -> dict:
    name, args, app, typing = SHORTCUTS[label]
    steps = [{"name": "open_app", "arguments_map": {"app": app}}, {"name": "tap", "arguments_map": {"label": label}}]
    steps += [{"name": n, "arguments_map": m} for n, m in typing]
    steps.append({"name": "tap", "arguments_map": {"label": "Save"}})
    return {"name": name, "arguments": args, "description": f"{label} and save", "precondition": "any screen",
            "atomic_action_sequence": steps}  # fmt: skip


class ScriptedPhoneModel(Model):
    backend = "scripted"

    def __init__(self, name: str = "scripted"):
        super().__init__(name)
        self.reflections = 0

    def _generate(self, req):
        msgs = req.input if isinstance(req.input, list) else [{"role": "user", "content": req.input}]
        text = "\n".join(m["content"] for m in msgs)
        reply = self.reflect(text) if "phone agent" in text and "Goal:" not in text else self.act(text)
        return [Completion(reply, "stop", 100, 20)] * req.n

    # -- the agent ------------------------------------------------------------------------------
    def act(self, prompt: str) -> str:
        goal = re.search(r"^Goal: (.*)$", prompt, re.M).group(1)
        done = [m for m in re.findall(r"^\d+\. .*? -> (.*)$", prompt, re.M) if not m.startswith("Error")]
        plan = self.plan(goal, prompt)
        if len(done) < len(plan):
            name, args = plan[len(done)]
        else:
            name, args = "finish", [""]
        if name == "finish_phone":
            found = re.search(r"phone: (\d+)", prompt.split("Current screen:")[-1]) or re.search(
                r"phone number of .*? is (\d+)", prompt
            )
            name, args = "finish", [found.group(1) if found else "unknown"]
        return json.dumps({"action": name, "args": args})

    def plan(self, goal: str, prompt: str) -> list:
        knows = {k: k in prompt or lesson in prompt for k, lesson in LESSONS.items()}
        cuts = set(re.findall(r"^- (\w+)\(", prompt, re.M))

        def phone(p):
            return p.replace("-", "") if knows["phone: digits only"] else p

        def date(d):
            day, month, year = d.split()
            return f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}" if knows["date: use YYYY-MM-DD"] else d

        def time(t):
            h = int(t[:-2]) % 12 + (12 if t.endswith("pm") else 0)
            return f"{h:02d}:00" if knows["time: use 24-hour HH:MM"] else t

        def contact(n, p):
            if "add_contact" in cuts:
                return [("add_contact", [n, phone(p)])]
            return [("open_app", ["Contacts"]), ("tap", ["New contact"]), ("type", ["name", n]),
                    ("type", ["phone", phone(p)]), ("tap", ["Save"])]  # fmt: skip

        def event(t, d, h):
            if "add_event" in cuts:
                return [("add_event", [t, date(d), time(h)])]
            return [("open_app", ["Calendar"]), ("tap", ["New event"]), ("type", ["title", t]),
                    ("type", ["date", date(d)]), ("type", ["time", time(h)]), ("tap", ["Save"])]  # fmt: skip

        def note(t, b):
            if "create_note" in cuts:
                return [("create_note", [t, b])]
            return [("open_app", ["Notes"]), ("tap", ["New note"]), ("type", ["title", t]), ("type", ["body", b]),
                    ("tap", ["Save"])]  # fmt: skip

        if m := re.match(
            r"Add a contact named (.+?) with phone ([\d-]+), then add a calendar event '(.+?)' on (.+?) at (\w+)\.",
            goal,
        ):
            return contact(m[1], m[2]) + event(m[3], m[4], m[5])
        if m := re.match(r"Add a contact named (.+?) with phone ([\d-]+)\.", goal):
            return contact(m[1], m[2])
        if m := re.match(r"Change the phone number of (.+?) to ([\d-]+)\.", goal):
            return [("open_app", ["Contacts"]), ("tap", [m[1]]), ("tap", ["Edit"]), ("type", ["phone", phone(m[2])]),
                    ("tap", ["Save"])]  # fmt: skip
        if m := re.match(r"Create a note titled '(.+?)' that says '(.+?)'\.", goal):
            return note(m[1], m[2])
        if m := re.match(r"Add a calendar event '(.+?)' on (.+?) at (\w+)\.", goal):
            return event(m[1], m[2], m[3])
        if m := re.match(r"Write the email address of (.+?) in a new note titled '(.+?)'\.", goal):
            email = re.search(rf"email of {re.escape(m[1])} is (\S+@[\w.]+\w)", prompt) or re.search(
                r"email: (\S+@[\w.]+\w)", prompt
            )
            look = [] if email and "email of" in email.group(0) else [("open_app", ["Contacts"]), ("tap", [m[1]])]
            return look + note(m[2], email.group(1) if email else "?")
        if m := re.match(r"Delete the note '(.+?)'\.", goal):
            return [("open_app", ["Notes"]), ("tap", [m[1]]), ("tap", ["Delete"]), ("tap", ["Confirm"])]
        if m := re.match(r"What is the phone number of (.+?)\?", goal):
            if re.search(rf"phone number of {re.escape(m[1])} is \d+", prompt):
                return [("finish_phone", [])]
            return [("open_app", ["Contacts"]), ("tap", [m[1]]), ("finish_phone", [])]
        return []

    # -- the reflectors -------------------------------------------------------------------------
    def reflect(self, prompt: str) -> str:
        self.reflections += 1
        acted = prompt.split("Actions taken:")[-1]
        lessons = [v for k, v in LESSONS.items() if f"Error: {k}" in acted]
        if "experience reflector" in prompt:
            current = re.findall(r"^- (.*)$", prompt.split("Current tips:")[-1], re.M)
            tips = list(dict.fromkeys(current + lessons))
            have = prompt.split("Current shortcuts:")[-1]
            new = next((shortcut(label) for label, (name, *_) in SHORTCUTS.items()
                        if f"tap('{label}')" in acted and name not in have), None)  # fmt: skip
            return "Here is my update:\n" + json.dumps({"tips": tips, "new_shortcut": new})
        if "short guide" in prompt:
            label = next((lb for lb in SHORTCUTS if f"tap('{lb}')" in acted), "Look up")
            steps = f"Open the app, tap {label}, type each field, tap Save. " + " ".join(lessons)
            return json.dumps({"title": label.lower(), "guide": steps})
        if "long-term memory" in prompt:
            facts = list(lessons)
            seen = (
                []
                if "Task: Change" in prompt
                else re.findall(  # not a number the task itself changed
                    r"Contact '.*?'\. name: (.*?), phone: (\d+), email: (\S+)", acted
                )
            )
            for name, number, email in seen:
                facts += [f"The phone number of {name} is {number}.", f"The email of {name} is {email}"]
            return json.dumps(facts)
        if "Current rules:" in prompt:
            rules = re.findall(r"^(\d+)\. (.*) \(importance \d+\)$", prompt.split("Current rules:")[-1], re.M)
            ops = [f"AGREE {n}" for n, rule in rules if rule in lessons]
            ops += [f"ADD: {lesson}" for lesson in lessons if lesson not in {r for _, r in rules}]
            return "\n".join(ops + ["(that is all)"]) if ops else "No change."
        return "?"
