"""A tree of sub-goals under one high-level goal, as in SelfGoal ("SelfGoal: Your Language Agents
Already Know How to Achieve High-level Goals", Yang et al., 2024), behind the :class:`Memory` interface.

The root is the high-level goal. The model decomposes it into sub-goals (:meth:`GoalTree.decompose`,
once, before the first task); before each task the sub-goals that bear on it are recalled (BM25 of the
task's goal over every path root → node; the chosen leaves and their ancestors are shown to the agent);
after each task the reflector sees the tree, the task and what happened, and answers with at most
``max_ops`` operations: ``ADD n: sub-goal`` (a child of node n), ``PRUNE n`` (node n and its subtree).
Nodes keep ``uses`` and ``wins`` (tasks they were shown for / solved); a leaf shown ``prune_after``
times without a win is pruned by that feedback alone. Replies are untrusted: unknown nodes, the root,
empty or duplicate text are skipped; the tree is capped in size and depth.
"""

from __future__ import annotations

import re
from typing import Any

from evoforge.genomes.agents.tools import BM25

from .base import Memory, MemoryFormatError, Reflect, count, render_outcome, render_trajectory, text

_OP = re.compile(r"^\s*(?:[-*]\s*)?(ADD|PRUNE)\s+(\d+)\s*(?::\s*(.+))?$", re.I | re.M)
ROOT_GOAL = "Complete everyday tasks on the phone correctly and in few steps."


class GoalTree(Memory):
    kind = "goal-tree"
    max_nodes, max_depth, max_ops, shown, prune_after = 40, 4, 4, 3, 4

    def __init__(self, goal: str = ROOT_GOAL) -> None:
        super().__init__()
        self.nodes: list[dict[str, Any]] = [{"id": 0, "parent": None, "text": goal, "uses": 0, "wins": 0}]
        self.next_id = 1
        self.pruned = 0

    # -- reading the tree -----------------------------------------------------------------------
    def _node(self, i: int) -> dict[str, Any] | None:
        return next((n for n in self.nodes if n["id"] == i), None)

    def path(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        out = [node]
        while out[-1]["parent"] is not None and (up := self._node(out[-1]["parent"])) is not None:
            out.append(up)
        return out[::-1]

    def leaves(self) -> list[dict[str, Any]]:
        parents = {n["parent"] for n in self.nodes}
        return [n for n in self.nodes if n["id"] not in parents and n["parent"] is not None]

    def chosen(self, goal: str) -> list[dict[str, Any]]:
        """The leaves that bear on ``goal`` (best BM25 over their paths; none when nothing matches)."""
        leaves = self.leaves()
        if not leaves:
            return []
        paths = [" ".join(n["text"] for n in self.path(leaf)[1:]) for leaf in leaves]
        scores = BM25(paths).scores(goal)
        best = sorted(range(len(leaves)), key=lambda i: (-scores[i], leaves[i]["id"]))[: self.shown]
        return [leaves[i] for i in best if scores[i] > 0]

    def recall(self, context: dict[str, Any]) -> str:
        picked = self.chosen(str(context.get("question") or ""))
        if not picked:
            return ""
        lines = [f"Your high-level goal: {self.nodes[0]['text']}", "Sub-goals that apply to this task:"]
        lines += ["- " + " > ".join(n["text"] for n in self.path(leaf)[1:]) for leaf in picked]
        return "\n".join(lines)

    def render(self) -> str:
        """The tree as numbered, indented lines (what the model edits)."""
        out: list[str] = []

        def walk(node: dict[str, Any], depth: int) -> None:
            out.append(f"{'  ' * depth}{node['id']}. {node['text']} (shown {node['uses']}, solved {node['wins']})")
            for child in (n for n in self.nodes if n["parent"] == node["id"]):
                walk(child, depth + 1)

        walk(self.nodes[0], 0)
        return "\n".join(out)

    # -- changing it ----------------------------------------------------------------------------
    def decompose(self, reflect: Reflect, examples: list[str]) -> str:
        """Ask the model to decompose the root into sub-goals (one call)."""
        listed = "\n".join(f"- {g}" for g in examples[:6])
        prompt = (
            "You plan for a phone agent (apps: Notes, Contacts, Calendar; actions: open_app, tap, type, back). "
            f"Decompose its high-level goal into sub-goals that will guide it.\n\nGoal tree:\n{self.render()}\n\n"
            f"Examples of the tasks it will get:\n{listed}\n\nReply with up to {self.max_ops} lines "
            "'ADD 0: <sub-goal>' (a child of the root, node 0)."
        )
        return self._apply(self._ask(reflect, prompt))

    def update(self, trajectory: list[dict[str, Any]], outcome: dict[str, Any], reflect: Reflect) -> str:
        used = self.chosen(str(outcome.get("goal") or ""))
        for node in {id(n): n for leaf in used for n in self.path(leaf)[1:]}.values():
            node["uses"] += 1
            node["wins"] += bool(outcome.get("success"))
        stale = [n for n in used if n["uses"] >= self.prune_after and n["wins"] == 0]
        for n in stale:
            self._prune(n["id"])
        prompt = (
            "You keep the goal tree of a phone agent: sub-goals that guide it towards its high-level goal. "
            "Update the tree from what happened in this task: add a sub-goal where a lesson was learned, "
            f"prune sub-goals that misled it.\n\nGoal tree:\n{self.render()}\n\n{render_outcome(outcome)}\n"
            f"Actions taken:\n{render_trajectory(trajectory)}\n\nReply with at most {self.max_ops} lines "
            "'ADD n: <sub-goal>' (a child of node n) or 'PRUNE n' (remove node n), or 'NO CHANGE'."
        )
        note = self._apply(self._ask(reflect, prompt))
        return note + (f"; {len(stale)} stale sub-goal(s) pruned" if stale else "")

    def _apply(self, reply: str | None) -> str:
        if reply is None:
            return "reflection unusable"
        ops = _OP.findall(reply)[: self.max_ops]
        if not ops:
            if "no change" not in reply.lower():
                self.unusable += 1
                return "reflection unusable"
            return "no change"
        added = pruned = 0
        for op, number, body in ops:
            target = self._node(int(number))
            if op.upper() == "PRUNE":
                if target is not None and target["parent"] is not None:
                    self._prune(target["id"])
                    pruned += 1
                continue
            body = text(body, 200)
            siblings = [n["text"].lower() for n in self.nodes if target and n["parent"] == target["id"]]
            if (
                target is None or not body or body.lower() in siblings
                or len(self.path(target)) >= self.max_depth or len(self.nodes) >= self.max_nodes
            ):  # fmt: skip
                continue
            self.nodes.append({"id": self.next_id, "parent": target["id"], "text": body, "uses": 0, "wins": 0})
            self.next_id += 1
            added += 1
        if not added and not pruned:  # every operation named an unknown node, the root or a duplicate
            self.unusable += 1
            return "reflection unusable"
        return f"{added} sub-goal(s) added, {pruned} pruned"

    def _prune(self, i: int) -> None:
        gone = {i}
        for n in self.nodes:  # nodes come after their parents
            if n["parent"] in gone:
                gone.add(n["id"])
        self.nodes = [n for n in self.nodes if n["id"] not in gone]
        self.pruned += len(gone)

    # -- state ------------------------------------------------------------------------------------
    def entries(self) -> list[Any]:
        return [dict(n) for n in self.nodes]

    def load_entries(self, entries: list[Any]) -> None:
        nodes: list[dict[str, Any]] = []
        for e in entries[: self.max_nodes]:
            if not isinstance(e, dict):
                raise MemoryFormatError("a goal-tree entry is a JSON object")
            ok_parent = e.get("parent") is None if not nodes else e.get("parent") in {n["id"] for n in nodes}
            if not text(e.get("text")) or not isinstance(e.get("id"), int) or not ok_parent:
                raise MemoryFormatError("a goal-tree entry is {'id', 'parent', 'text', 'uses', 'wins'}, root first")
            nodes.append({"id": e["id"], "parent": e.get("parent"), "text": text(e["text"], 200),
                          "uses": count(e.get("uses")), "wins": count(e.get("wins"))})  # fmt: skip
        if nodes:
            self.nodes, self.next_id = nodes, max(n["id"] for n in nodes) + 1
