"""``swe-search``: Monte Carlo tree search over a coding agent's actions, in the manner of SWE-Search
(Antoniades et al., 2024), one search item at a time (an inference-time search, as in the paper:
its result is an answer per problem, not an agent design). The moves are edits written by the model
and the task's environment action (``run_tests`` on agent-code) on a draft, then ``finish``
(:mod:`._swe_tree`). Every new state gets a value estimate from the model (a value agent shown the
whole path: code and test output; a finished state keeps its tests' estimate); UCT selection on the
backed-up values. When ``iterations`` are spent, a discriminator call picks the final answer among
the finished drafts (else the best-valued ones), and that answer is submitted as the item's
candidate, scored by the task's hidden tests, which the search never sees.

Differs from the paper: its action space (search code, view files, edit, run tests, finish) shrinks
to edit / run_tests / finish on one function; its discriminator is a multi-agent debate, here one
call; its value agent also feeds explanations back into later actions, here only into the score."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.agents.genome import make_genome
from evoforge.genomes.agents.task import agent_task

from ._agent_calls import Calls
from ._agent_prompts import discriminator_prompt, edit_prompt, value_prompt
from ._swe_tree import Node, select

SUBMIT = """
def forward(task, tools):
    if not tools.parts["answer"]:
        raise RuntimeError(tools.parts["why"])
    return tools.parts["answer"]
"""
ENGINEER = "You are an expert software engineer. You answer briefly and exactly in the format asked."
_FENCE = re.compile(r"```[\w+-]*\n(.*?)(?:```|$)", re.DOTALL)


@register("swe-search")
@dataclass(kw_only=True)
class SweSearch(Recipe):
    summary = "SWE-Search: MCTS over a coding agent's edits and test runs, model value estimates, a discriminator"
    genomes = ("agent",)
    needs_model = True
    default_budget = 24
    eval_timeout = 600.0

    batch_size: int = param(1, low=1, help="problems searched per batch")
    iterations: int = param(8, low=1, help="tree expansions per problem")
    branching: int = param(2, low=1, help="edits tried from one state")
    max_depth: int = param(6, low=2, help="most actions on one path")
    exploration: float = param(1.0, low=0, help="UCT exploration constant")
    finalists: int = param(3, low=1, help="candidates shown to the discriminator")
    action: str = param("run_tests", help="the task's environment action that checks a draft")
    problems: int = param(0, low=0, help="search items to solve (0: all)")
    temperature: float = param(0.7, low=0, help="sampling temperature of edits")

    env: Task | None = state()  # pickled as a reference that reloads the task
    calls: Calls | None = state()
    todo: list[int] = state(factory=list)
    searched: list[dict[str, Any]] = state(factory=list)  # per problem: item, nodes, finished, value, id, score

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        value = agent_task(task)
        if value is None or self.action not in value.actions:
            raise ConfigError(
                f"recipe 'swe-search' needs an agent task with the environment action {self.action!r} "
                f"(e.g. agent-code); {task.name!r} has none"
            )
        self.env, self.calls = task, Calls(max_tokens=value.max_tokens + 128, temperature=self.temperature)
        n = len(value.search)
        self.todo = list(range(min(n, self.problems) if self.problems else n))

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        out = []
        while self.todo and len(out) < n:
            i = self.todo.pop(0)
            answer, facts = self._search(i, rng)
            why = "the search produced no code (every edit reply was unusable)"
            genome = make_genome(
                SUBMIT.strip() + "\n", {"answer": answer, "why": why}, f"swe-search answer to item {i}"
            )
            out.append(Candidate(genome={**genome, "items": [i]}, operator="swe-search", info=facts))
            self.searched.append({"item": i, **facts})
        return out

    def _search(self, i: int, rng: np.random.Generator) -> tuple[str, dict[str, Any]]:
        task = self.env.value
        shown = task.shown(task.search[i])
        question, fmt = str(shown.get("question", "")), str(shown.get("format", ""))
        root = Node("start")
        for _ in range(self.iterations):
            node = select(root, self.exploration, self.branching, self.max_depth)
            moves = node.options(self.branching, self.max_depth)
            if not moves:
                node.backup(node.value)  # a finished path: its estimate counts again
                continue
            if moves[0] == "finish":
                child = node.add("finish", node.draft, node.observation)
                child.value = node.value
            elif moves[0] == "run_tests":
                child = node.add("run_tests", node.draft, self._act(task, i, node.draft))
                child.value = self._value(question, child, rng)
            else:
                reply = self.calls.text(
                    self.model, edit_prompt(question, node.steps(), fmt), rng, tag="edit", system=ENGINEER
                )
                if reply is None:
                    node.add("edit-failed").visits = 1  # counts as a tried edit, never selected again
                    continue
                code = _FENCE.findall(reply)
                child = node.add("edit", (code[0] if code else reply).strip() + "\n")
                child.value = self._value(question, child, rng)
            child.backup(child.value)
        nodes = [x for x in root.walk() if x.draft and x.action != "edit-failed"]
        finished = [x for x in nodes if x.action == "finish"]
        pool = sorted(finished or nodes, key=lambda x: -x.value)
        distinct = list({x.draft: x for x in reversed(pool)}.values())[::-1][: self.finalists]
        pick = self._discriminate(question, distinct, rng) if len(distinct) > 1 else (distinct[0] if distinct else None)
        facts = {"nodes": len(nodes), "finished": len(finished), "finalists": len(distinct),
                 "value": round(pick.value, 3) if pick else None}  # fmt: skip
        return (f"```python\n{pick.draft}```" if pick else ""), facts

    def _act(self, task: Any, i: int, draft: str) -> str:
        try:
            return str(task.actions[self.action](task.search[i], draft))[:2000]
        except Exception as err:  # the task's own action failed: what it observed is the failure
            return f"the action {self.action} failed: {type(err).__name__}: {str(err)[:200]}"

    def _value(self, question: str, node: Node, rng: np.random.Generator) -> float:
        reply = self.calls.text(self.model, value_prompt(question, node.steps()), rng, tag="value", system=ENGINEER)
        found = self.calls.number(reply, "Value", tag="value")
        return 0.0 if found is None else min(100.0, max(0.0, found)) / 100

    def _discriminate(self, question: str, finalists: list[Node], rng: np.random.Generator) -> Node:
        prompt = discriminator_prompt(question, [(x.draft, x.observation) for x in finalists])
        choice = self.calls.number(
            self.calls.text(self.model, prompt, rng, tag="discriminator", system=ENGINEER),
            "Choice",
            tag="discriminator",
        )
        if choice is not None and 1 <= choice <= len(finalists) and float(choice).is_integer():
            return finalists[int(choice) - 1]
        return finalists[0]  # the best-valued one

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            row = next((r for r in self.searched if r["item"] == cand.genome["items"][0] and "score" not in r), None)
            if row is not None:
                row.update(id=cand.id, score=cand.score if cand.ok else None, reason=None if cand.ok else cand.reason)

    def stop_reason(self) -> str | None:
        return "every search item has a final answer" if self.env is not None and not self.todo else None

    def report(self, store: Any) -> str | None:
        scored = [r["score"] or 0.0 for r in self.searched if "score" in r]
        lines = [f"problems searched: {len(self.searched)}; mean hidden-test score of the chosen answers: "
                 + (f"{sum(scored) / len(scored):.3f}" if scored else "-")]  # fmt: skip
        for r in self.searched[-5:]:
            lines.append(f"  item {r['item']}: {r['nodes']} states, {r['finished']} finished, "
                         f"{r['finalists']} finalists, value {r['value']}, score {r.get('score')}")  # fmt: skip
        return "\n".join(lines + ([self.calls.report()] if self.calls else []))
