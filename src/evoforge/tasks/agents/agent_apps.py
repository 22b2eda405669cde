"""Agent task: sequences of everyday goals on a text phone with Notes, Contacts and Calendar apps.

Every task of a sequence starts from the same phone (one address book, notes and calendar per
sequence) and is checked by the phone's end state (and the answer, for questions). Goals are worded
as people word them ("555-0142", "3 May 2024 at 3pm") while the apps want digits, ISO dates and
24-hour times, and editors keep changes only on Save: lessons an agent can carry from one task to
the next. Some goals take more actions than the per-task call limit allows one action per call, so
only an agent with shortcuts (several actions for one call) can finish them. Search and held-out
sequences use different phones and goals.

Options: ``tasks`` (per sequence), ``seed``, ``call_limit`` (model calls per task).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evoforge.core.task_value import option
from evoforge.genomes.agents.phone.agent import app_agent
from evoforge.genomes.agents.phone.task import AppTask

_FIRST = ["Ann", "Ben", "Carla", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kim", "Lea", "Mo", "Nia", "Omar"]
_LAST = ["Lee", "Park", "Silva", "Novak", "Reyes", "Khan", "Berg", "Ito", "Moss", "Dumas"]
_TOPICS = ["Groceries", "Ideas", "Books", "Packing", "Gifts", "Recipes", "Garden", "Errands"]
_WORDS = ["milk", "eggs", "rice", "tea", "maps", "socks", "seeds", "soap", "pens", "lamps"]
_EVENTS = ["Dentist", "Yoga", "Team lunch", "Haircut", "Piano", "Car service", "Book club"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def _phone(rng: random.Random) -> str:
    return f"555{rng.randint(0, 9999):04d}"


def _dashed(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:]}"


def _when(rng: random.Random) -> tuple[str, str, str, str]:
    """(spoken date, ISO date, spoken time, 24-hour time)."""
    month, day, hour = rng.randrange(10), rng.randint(1, 28), rng.randint(8, 19)
    spoken_time = f"{hour - 12 if hour > 12 else hour}{'pm' if hour >= 12 else 'am'}"
    return f"{day} {_MONTHS[month]} 2025", f"2025-{month + 1:02d}-{day:02d}", spoken_time, f"{hour:02d}:00"


def phone_book(rng: random.Random) -> dict[str, Any]:
    """The phone a sequence starts every task from."""
    people = rng.sample([f"{f} {last}" for f in _FIRST for last in _LAST], 5)
    contacts = [{"name": n, "phone": _phone(rng), "email": f"{n.split()[0].lower()}@example.org"} for n in people]
    notes = [{"title": t, "body": ", ".join(rng.sample(_WORDS, 3))} for t in rng.sample(_TOPICS, 3)]
    events = []
    for title in rng.sample(_EVENTS, 2):
        _, iso, _, hhmm = _when(rng)
        events.append({"title": title, "date": iso, "time": hhmm})
    return {"contacts": contacts, "notes": notes, "events": events}


def goal(rng: random.Random, book: dict[str, Any], kind: str) -> dict[str, Any]:
    """One goal of ``kind`` on ``book``: question, checks and what should happen."""
    known = rng.choice(book["contacts"])
    taken = {c["name"] for c in book["contacts"]}
    new = rng.choice([f"{f} {last}" for f in _FIRST for last in _LAST if f"{f} {last}" not in taken])
    number = _phone(rng)
    day, iso, spoken, hhmm = _when(rng)
    if kind == "add_contact":
        q, checks = f"Add a contact named {new} with phone {_dashed(number)}.", [_has("contacts", new, phone=number)]
    elif kind == "change_phone":
        q = f"Change the phone number of {known['name']} to {_dashed(number)}."
        checks = [_has("contacts", known["name"], phone=number)]
    elif kind == "new_note":
        title, body = (
            rng.choice([t for t in _TOPICS if t not in {n["title"] for n in book["notes"]}]),
            rng.choice(_WORDS),
        )
        q, checks = f"Create a note titled '{title}' that says '{body}'.", [_has("notes", title, body=body)]
    elif kind == "new_event":
        title = rng.choice([e for e in _EVENTS if e not in {x["title"] for x in book["events"]}])
        q = f"Add a calendar event '{title}' on {day} at {spoken}."
        checks = [_has("events", title, date=iso, time=hhmm)]
    elif kind == "email_note":
        q = f"Write the email address of {known['name']} in a new note titled '{known['name']}'."
        checks = [{"has": "notes", "where": {"title": known["name"]}, "contains": {"body": known["email"]}}]
    elif kind == "delete_note":
        title = rng.choice(book["notes"])["title"]
        q, checks = f"Delete the note '{title}'.", [{"missing": "notes", "where": {"title": title}}]
    elif kind == "phone_query":
        q, checks = (
            f"What is the phone number of {known['name']}? Finish with it.",
            [{"answer_contains": known["phone"]}],
        )
    else:  # contact_and_event: more actions than one call each allows
        q = (
            f"Add a contact named {new} with phone {_dashed(number)}, "
            f"then add a calendar event 'Meet {new}' on {day} at {spoken}."
        )
        checks = [_has("contacts", new, phone=number), _has("events", f"Meet {new}", date=iso, time=hhmm)]
    return {"question": q, "initial": book, "checks": checks, "answer": _expected(checks), "kind": kind}


KINDS = (
    "add_contact",
    "change_phone",
    "new_note",
    "new_event",
    "email_note",
    "delete_note",
    "phone_query",
    "contact_and_event",
)


def _has(table: str, key: str, **fields: str) -> dict[str, Any]:
    return {"has": table, "where": {"title" if table != "contacts" else "name": key}, "equals": fields}


def _expected(checks: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{c['has']} has {c['where']} with {c.get('equals') or c.get('contains')}" if "has" in c
        else f"{c['missing']} has no {c['where']}" if "missing" in c else f"answer contains {c['answer_contains']}"
        for c in checks
    )  # fmt: skip


def sequence(seed: int, n: int) -> list[dict[str, Any]]:
    """``n`` goals on one phone, every kind in turn (shuffled per round)."""
    rng = random.Random(seed)
    book = phone_book(rng)
    kinds: list[str] = []
    while len(kinds) < n:
        kinds += rng.sample(KINDS, len(KINDS))
    return [goal(rng, book, k) for k in kinds[:n]]


def _no_score(item: dict[str, Any], answer: Any) -> float:
    return 0.0  # AppTask scores the phone's end state


@dataclass(kw_only=True)
class AgentApps(AppTask):
    """Sequences of ``tasks`` goals from ``seed``; ``call_limit`` model calls per goal."""

    name: str = "agent-apps"
    description: str = "agent memory: everyday goals on a text phone (notes, contacts, calendar), checked by end state"
    search: Sequence[dict[str, Any]] = ()
    heldout: Sequence[dict[str, Any]] = ()
    score: Callable[[dict[str, Any], Any], float] = _no_score
    items_per_eval: int = 1
    item_seconds: float = 30.0
    max_tokens: int = 128
    tasks: int = option(16, help="goals per sequence")
    goals_seed: int = option(0, name="seed", help="which goals")
    call_limit: int = option(7, help="model calls per goal")

    def __post_init__(self) -> None:
        if self.tasks < 1 or self.call_limit < 1:
            raise ValueError("tasks and call_limit must be at least 1")
        self.search, self.heldout = sequence(self.goals_seed, self.tasks), sequence(self.goals_seed + 7919, self.tasks)
        self.seed = app_agent(self.call_limit)
        super().__post_init__()


TASK = AgentApps()
