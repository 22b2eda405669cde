"""Agent tasks on the text phone (:mod:`.apps`): each item is a goal, the phone's starting data and
checks of its end state; an evaluation runs the agent on a fresh :class:`~.apps.Phone` per item and
scores the phone it leaves behind (and, for questions, its answer).

:class:`AppTask` is an :class:`~.task.AgentTask` whose evaluation also returns, per item, the
trajectory (every action, its arguments and the screen or error it got) in ``metrics["trajectories"]``
and the number of actions in ``metrics["actions"]``: what memory recipes learn from.

Checks (JSON): ``{"has": table, "where": {field: value}, "equals": {field: value}, "contains": {...}}``
(a record matching ``where`` whose fields equal / contain the values), ``{"missing": table, "where":
{...}}`` and ``{"answer_contains": text}``. The score is the share of checks that hold.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from evoforge.genomes.agents.task import AgentTask

from .apps import ACTIONS, Phone

HIDDEN = ("answer", "initial", "checks", "kind")


def check(phone: Phone, answer: Any, rule: dict[str, Any]) -> bool:
    """Whether one end-state check holds."""
    if "answer_contains" in rule:
        return _norm(rule["answer_contains"]) in _norm(answer)
    table = phone.data.get(rule.get("has") or rule.get("missing") or "", [])
    where = rule.get("where") or {}
    matches = [r for r in table if all(_norm(r.get(k)) == _norm(v) for k, v in where.items())]
    if "missing" in rule:
        return not matches
    return any(
        all(_norm(r.get(k)) == _norm(v) for k, v in (rule.get("equals") or {}).items())
        and all(_norm(v) in _norm(r.get(k)) for k, v in (rule.get("contains") or {}).items())
        for r in matches
    )


def _norm(value: Any) -> str:
    return " ".join(str(value if value is not None else "").lower().split())


def end_score(phone: Phone, answer: Any, checks: list[dict[str, Any]]) -> float:
    return sum(check(phone, answer, c) for c in checks) / len(checks) if checks else 0.0


@dataclass(kw_only=True)
class AppTask(AgentTask):
    """Items: ``{"question": goal, "initial": phone data, "checks": [...], "answer": what should
    happen (shown in feedback), "kind": template}``; only the goal is shown to the agent."""

    hidden: tuple[str, ...] = HIDDEN
    answer_format: str = "Operate the phone with actions; finish with the answer if the goal asks a question."

    def __post_init__(self) -> None:
        super().__post_init__()
        self.actions = {}  # bound to fresh phones per evaluation

    def evaluate(self, genome: Any, model: Any = None) -> dict[str, Any]:
        phones: dict[int, Phone] = {}

        def phone_of(item: dict[str, Any]) -> Phone:
            return phones.setdefault(id(item), Phone(item.get("initial") or {}))

        def score(item: dict[str, Any], answer: Any) -> float:
            return end_score(phone_of(item), answer, item.get("checks") or [])

        actions = {name: _bound(phone_of, name) for name in ACTIONS}
        bound = copy.copy(self)  # a shallow copy: the same items (``phones`` knows them by id)
        bound.actions, bound.score = actions, score  # type: ignore[method-assign]
        result = AgentTask.evaluate(bound, genome, model)
        data = self.items(result["metrics"]["split"])
        logs = [phones[id(data[i])].log if id(data[i]) in phones else [] for i in result["metrics"]["items"]]
        result["metrics"]["trajectories"] = logs
        result["metrics"]["actions"] = [len(log) for log in logs]
        return result


def _bound(phone_of: Any, name: str) -> Any:
    def act(item: dict[str, Any], *args: Any) -> str:
        return phone_of(item).act(name, *args)

    return act
