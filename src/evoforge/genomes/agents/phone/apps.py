"""A deterministic, offline text phone: Notes, Contacts and Calendar apps with screens and actions.

An agent sees one screen of text at a time and acts with ``open_app(app)``, ``tap(label)``,
``type(field, text)`` and ``back()``; ``screen()`` shows the current screen (free, not logged). The
apps have conventions an agent can learn from experience and carry to later tasks (as tips, or as
shortcuts that bundle several actions):

- phone numbers are typed as digits only; dates as ``YYYY-MM-DD``; times as 24-hour ``HH:MM``
  (a wrong value is refused with an error saying so, which costs a step);
- an editor keeps its changes only after ``tap("Save")``: ``back()`` or ``Cancel`` drops them, silently;
- ``Delete`` asks for ``Confirm``.

:class:`Phone` is trusted task code: it runs in the parent with the agent's JSON arguments
(``tools.act``), keeps a log of every action (the trajectory), and its final ``data`` is what a
task's end-state checks read. Nothing here runs agent code.
"""

from __future__ import annotations

import copy
import re
from typing import Any

APPS = ("Notes", "Contacts", "Calendar")
ACTIONS = ("screen", "open_app", "tap", "type", "back")
FIELDS = {"note": ("title", "body"), "contact": ("name", "phone", "email"), "event": ("title", "date", "time")}
_LIST = {"Notes": "notes", "Contacts": "contacts", "Calendar": "events"}
_KIND = {"notes": "note", "contacts": "contact", "events": "event"}
_TITLE = {"notes": "Notes", "contacts": "Contacts", "events": "Calendar"}
_NEW = {"notes": "New note", "contacts": "New contact", "events": "New event"}
_KEY = {"note": "title", "contact": "name", "event": "title"}
MAX_TEXT = 200


class AppError(ValueError):
    """An action the phone refuses; the message says why (the agent sees it)."""


class Phone:
    """One phone, from a JSON dict ``{"contacts": [...], "notes": [...], "events": [...]}``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = {k: copy.deepcopy(list(data.get(k) or [])) for k in ("contacts", "notes", "events")}
        self.where: tuple[str, ...] = ("home",)
        self.draft: dict[str, str] | None = None
        self.log: list[dict[str, Any]] = []

    # -- acting ---------------------------------------------------------------------------------
    def act(self, name: str, *args: Any) -> str:
        """Do one action and return the new screen; refused actions raise :class:`AppError` (logged too)."""
        if name == "screen":
            return self.screen()  # looking is free and not logged
        entry: dict[str, Any] = {"action": str(name), "args": [str(a)[:MAX_TEXT] for a in args]}
        try:
            if name not in ACTIONS:
                raise AppError(f"no action {name!r}; actions: {', '.join(ACTIONS)}")
            getattr(self, "_" + name)(*[str(a)[:MAX_TEXT] for a in args])
            out = self.screen()
        except TypeError:
            entry["error"] = f"wrong number of arguments for {name}"
            self.log.append(entry)
            raise AppError(entry["error"]) from None
        except AppError as err:
            entry["error"] = str(err)
            self.log.append(entry)
            raise
        entry["screen"] = out.splitlines()[0]
        self.log.append(entry)
        return out

    def _open_app(self, app: str) -> None:
        found = [a for a in APPS if a.lower() == app.strip().lower()]
        if not found:
            raise AppError(f"no app {app!r}; apps: {', '.join(APPS)}")
        self.where, self.draft = (_LIST[found[0]],), None

    def _back(self) -> None:
        self.draft = None  # leaving an editor drops what was not saved
        self.where = self.where[:-1] or ("home",)

    def _type(self, field: str, text: str) -> None:
        if self.draft is None:
            raise AppError("nothing to type into: open an editor first (New ... or Edit)")
        kind = self.where[-1].split(":")[0]
        if field not in FIELDS[kind]:
            raise AppError(f"no field {field!r} here; fields: {', '.join(FIELDS[kind])}")
        self.draft[field] = _checked(field, text)

    def _tap(self, label: str) -> None:
        label = label.strip()
        top = self.where[-1]
        if top == "home":
            if label in APPS:
                return self._open_app(label)
        elif top in _KIND:
            if label == _NEW[top]:
                kind = _KIND[top]
                self.where, self.draft = (top, f"{kind}:edit:"), {f: "" for f in FIELDS[kind]}
                return None
            if self._find(top, label) is not None:
                self.where = (top, f"{_KIND[top]}:view:{label}")
                return None
        elif ":view:" in top:
            kind, _, key = top.split(":", 2)
            if label == "Edit":
                record = self._find(_table(kind), key) or {}
                self.where, self.draft = (
                    (*self.where[:-1], f"{kind}:edit:{key}"),
                    {f: record.get(f, "") for f in FIELDS[kind]},
                )
                return None
            if label == "Delete":
                self.where = (*self.where[:-1], f"{kind}:confirm:{key}")
                return None
        elif ":confirm:" in top:
            kind, _, key = top.split(":", 2)
            if label == "Confirm":
                self.data[_table(kind)] = [r for r in self.data[_table(kind)] if r.get(_KEY[kind]) != key]
                self.where = self.where[:1]
                return None
            if label == "Cancel":
                self.where = (*self.where[:-1], f"{kind}:view:{key}")
                return None
        elif ":edit:" in top:
            if label == "Save":
                return self._save()
            if label == "Cancel":
                return self._back()
        raise AppError(f"nothing labelled {label!r} on this screen")

    def _save(self) -> None:
        kind, _, key = self.where[-1].split(":", 2)
        draft = dict(self.draft or {})
        if not draft.get(_KEY[kind]):
            raise AppError(f"cannot save: the {_KEY[kind]} is empty")
        table = self.data[_table(kind)]
        if key:
            table[:] = [draft if r.get(_KEY[kind]) == key else r for r in table]
        elif self._find(_table(kind), draft[_KEY[kind]]) is not None:
            raise AppError(f"cannot save: a {kind} named {draft[_KEY[kind]]!r} exists already")
        else:
            table.append(draft)
        self.draft = None
        self.where = (self.where[0], f"{kind}:view:{draft[_KEY[kind]]}")

    def _find(self, table: str, key: str) -> dict[str, str] | None:
        kind = _KIND[table]
        return next((r for r in self.data[table] if r.get(_KEY[kind]) == key), None)

    # -- what the agent sees --------------------------------------------------------------------
    def screen(self) -> str:
        top = self.where[-1]
        if top == "home":
            return "Home screen. Apps: " + " ".join(f"[{a}]" for a in APPS)
        if top in _KIND:
            rows = sorted(
                self.data[top], key=lambda r: (r.get("date", ""), r.get("time", ""), r.get(_KEY[_KIND[top]], ""))
            )
            shown = " ".join(f"[{r[_KEY[_KIND[top]]]}]" for r in rows) or "(empty)"
            return f"{_TITLE[top]} list: {shown}\nButtons: [{_NEW[top]}] (back: home)"
        kind, mode, key = top.split(":", 2)
        if mode == "view":
            record = self._find(_table(kind), key) or {}
            fields = ", ".join(f"{f}: {record.get(f, '')}" for f in FIELDS[kind])
            return f"{kind.capitalize()} '{key}'. {fields}\nButtons: [Edit] [Delete] (back: list)"
        if mode == "confirm":
            return f"Delete {kind} '{key}'?\nButtons: [Confirm] [Cancel]"
        fields = ", ".join(f"{f}={v!r}" for f, v in (self.draft or {}).items())
        return f"Editing {kind}{' ' + repr(key) if key else ' (new)'}. Fields: {fields}\nButtons: [Save] [Cancel]"


def _table(kind: str) -> str:
    return {"note": "notes", "contact": "contacts", "event": "events"}[kind]


def _checked(field: str, text: str) -> str:
    """The phone's input conventions: refuse a value in the wrong format, saying which format."""
    if field == "phone" and not re.fullmatch(r"\d{3,15}", text):
        raise AppError("phone: digits only, e.g. 5550123")
    if field == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise AppError("date: use YYYY-MM-DD, e.g. 2024-05-03")
    if field == "time" and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
        raise AppError("time: use 24-hour HH:MM, e.g. 15:00")
    return text
