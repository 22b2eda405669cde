"""A long-term store of facts and a set of voted insight rules (agent memories, see :mod:`.memory`).

- :class:`LongTerm` (as OMNE's long-term memory): after every task, successful or not, one reflector
  call writes the facts worth keeping (rules of the apps, data seen, what worked) into a store that
  every later task reads by retrieval (BM25 over the facts, the task's goal as the query). The store
  is capped; the facts recalled least often go first.
- :class:`Insights` (as ExpeL): a list of rules, each with an importance. After every task the
  reflector answers with operations: ``ADD: rule`` (importance 2), ``EDIT n: rule`` (new text, +1),
  ``AGREE n`` (+1) and ``REMOVE n`` (-1); a rule whose importance falls to 0 is dropped. The most
  important rules are recalled for every task.
"""

from __future__ import annotations

import re
from typing import Any

from evoforge.genomes.agents.tools import BM25

from .base import Memory, MemoryFormatError, Reflect, json_value, render_outcome, render_trajectory, text


class LongTerm(Memory):
    kind = "long-term"
    max_facts, shown, per_task = 60, 6, 5

    def __init__(self) -> None:
        super().__init__()
        self.facts: list[dict[str, Any]] = []  # {"fact", "task", "recalled"}
        self.tasks = 0

    def _best(self, query: str) -> list[int]:
        if not self.facts:
            return []
        scores = BM25([f["fact"] for f in self.facts]).scores(query)
        return [i for i in sorted(range(len(self.facts)), key=lambda i: (-scores[i], -i)) if scores[i] > 0][
            : self.shown
        ]

    def recall(self, context: dict[str, Any]) -> str:
        return "\n".join(f"- {self.facts[i]['fact']}" for i in self._best(str(context.get("question") or "")))

    def update(self, trajectory: list[dict[str, Any]], outcome: dict[str, Any], reflect: Reflect) -> str:
        self.tasks += 1
        goal = str(outcome.get("goal") or "")
        for i in self._best(goal):
            self.facts[i]["recalled"] += 1  # what this task was shown
        prompt = (
            "You keep the long-term memory of a phone agent (apps: Notes, Contacts, Calendar). Read what it "
            "just did and write the facts worth keeping for future tasks: rules of the apps (formats, buttons), "
            "data it saw (names, numbers, emails) and what worked or failed. Short, self-contained sentences.\n\n"
            f"{render_outcome(outcome)}\nActions taken:\n{render_trajectory(trajectory)}\n\n"
            f"Related facts already stored:\n{self.recall({'question': goal}) or '(none)'}\n\n"
            f'Reply with a JSON list of at most {self.per_task} new facts, e.g. ["...", "..."]'
        )
        reply = self._ask(reflect, prompt)
        found = json_value(reply or "", list)
        if found is None:
            self.unusable += reply is not None
            return "reflection unusable"
        known = {f["fact"].lower() for f in self.facts}
        added = 0
        for fact in (text(x, 240) for x in found[: self.per_task]):
            if fact and fact.lower() not in known:
                self.facts.append({"fact": fact, "task": self.tasks, "recalled": 0})
                known.add(fact.lower())
                added += 1
        while len(self.facts) > self.max_facts:
            self.facts.remove(min(self.facts, key=lambda f: (f["recalled"], f["task"])))
        return f"{added} facts stored ({len(self.facts)} in all)"

    def entries(self) -> list[Any]:
        return list(self.facts)

    def load_entries(self, entries: list[Any]) -> None:
        for e in entries:
            if not isinstance(e, dict) or not text(e.get("fact")):
                raise MemoryFormatError("a long-term entry is {'fact': text, 'task': n, 'recalled': n}")
            task, recalled = e.get("task"), e.get("recalled")
            self.facts.append({
                "fact": text(e["fact"], 240), "task": task if isinstance(task, int) else 0,
                "recalled": recalled if isinstance(recalled, int) and recalled >= 0 else 0,
            })  # fmt: skip
        self.facts = self.facts[-self.max_facts :]
        self.tasks = max((f["task"] for f in self.facts), default=0)


_NO_CHANGE = re.compile(r"\bno (change|operation)s?\b|^\W*none\W*$", re.IGNORECASE | re.MULTILINE)
_OP = re.compile(r"^\W*(ADD|EDIT|AGREE|REMOVE)\b\s*(\d+)?\s*:?\s*(.*)$", re.IGNORECASE)


class Insights(Memory):
    kind = "insights"
    max_rules, shown = 12, 8

    def __init__(self) -> None:
        super().__init__()
        self.rules: list[dict[str, Any]] = []  # {"rule", "importance"}

    def recall(self, context: dict[str, Any]) -> str:
        ranked = sorted(self.rules, key=lambda r: -r["importance"])[: self.shown]
        return "\n".join(f"- {r['rule']}" for r in ranked)

    def update(self, trajectory: list[dict[str, Any]], outcome: dict[str, Any], reflect: Reflect) -> str:
        numbered = "\n".join(f"{i}. {r['rule']} (importance {r['importance']})" for i, r in enumerate(self.rules, 1))
        prompt = (
            "You maintain the rules a phone agent follows (apps: Notes, Contacts, Calendar). Compare what it did "
            "with the outcome and update the rules so that later tasks go better.\n\n"
            f"{render_outcome(outcome)}\nActions taken:\n{render_trajectory(trajectory)}\n\n"
            f"Current rules:\n{numbered or '(none)'}\n\nReply with operations, one per line:\n"
            "ADD: <new rule>\nEDIT <n>: <better wording of rule n>\nAGREE <n>\nREMOVE <n>\n"
            f"Use at most 3 operations; keep at most {self.max_rules} rules; answer 'No change' if none is needed."
        )
        reply = self._ask(reflect, prompt)
        if reply is None:
            return "reflection unusable"
        done = self.apply(reply)
        if done:
            return ", ".join(done)
        if _NO_CHANGE.search(reply):
            return "no change"
        self.unusable += 1
        return "reflection unusable"

    def apply(self, reply: str) -> list[str]:
        """Apply the operations in ``reply`` (at most 3; unreadable lines and bad numbers are skipped)."""
        done: list[str] = []
        targets = list(self.rules)  # numbers refer to the list the reflector was shown
        for line in reply.splitlines():
            found = _OP.match(line.strip())
            if not found or len(done) >= 3:
                continue
            op, number, rest = found.group(1).upper(), found.group(2), text(found.group(3), 200)
            target = targets[int(number) - 1] if number and 0 < int(number) <= len(targets) else None
            if op == "ADD" and rest and not number:
                same = next((r for r in self.rules if r["rule"].lower() == rest.lower()), None)
                if same is not None:
                    same["importance"] += 1
                elif len(self.rules) < self.max_rules:
                    self.rules.append({"rule": rest, "importance": 2})
                else:
                    continue
            elif target is None or target not in self.rules:
                continue
            elif op == "EDIT" and rest:
                target["rule"], target["importance"] = rest, target["importance"] + 1
            elif op == "AGREE":
                target["importance"] += 1
            elif op == "REMOVE":
                target["importance"] -= 1
                if target["importance"] <= 0:
                    self.rules.remove(target)
            else:
                continue
            done.append(op + (f" {number}" if number else ""))
        return done

    def entries(self) -> list[Any]:
        return list(self.rules)

    def load_entries(self, entries: list[Any]) -> None:
        for e in entries:
            n = e.get("importance") if isinstance(e, dict) else None
            if not isinstance(e, dict) or not text(e.get("rule")) or not isinstance(n, int) or n <= 0:
                raise MemoryFormatError("an insights entry is {'rule': text, 'importance': n > 0}")
            self.rules.append({"rule": text(e["rule"], 200), "importance": n})
        self.rules = self.rules[: self.max_rules]
