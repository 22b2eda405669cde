"""The search tree of ``swe-search``: states of a coding agent on one problem and the moves between
them. A state is the current code (``draft``) and what the last action observed. Moves: from the
start, ``edit`` (the model writes code); after an edit, ``run_tests`` (the task's environment action
on the draft); after the tests, ``finish`` (submit this draft) or another ``edit``. Selection is UCT
on the mean of the value estimates backed up through a node."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    action: str  # "start" | "edit" | "run_tests" | "finish"
    draft: str = ""
    observation: str = ""
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    visits: int = 0
    total: float = 0.0
    value: float = 0.0  # this state's own estimate, in [0, 1]

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def options(self, branching: int, max_depth: int) -> list[str]:
        """Moves not taken yet from here, in the order they are tried."""
        taken = [c.action for c in self.children]
        if self.action in ("finish", "edit-failed"):
            return []
        if self.action == "edit":
            return [] if "run_tests" in taken else ["run_tests"]
        out = ["finish"] if self.action == "run_tests" and "finish" not in taken else []
        if sum(a.startswith("edit") for a in taken) < branching and self.depth + 2 <= max_depth:
            out.append("edit")
        return out

    def add(self, action: str, draft: str, observation: str = "") -> Node:
        child = Node(action, draft, observation, parent=self)
        self.children.append(child)
        return child

    def steps(self) -> list[tuple[str, str, str]]:
        """(action, draft, observation) from the start to here."""
        out, node = [], self
        while node is not None and node.action != "start":
            out.append((node.action, node.draft, node.observation))
            node = node.parent
        return out[::-1]

    def backup(self, value: float) -> None:
        node: Node | None = self
        while node is not None:
            node.visits += 1
            node.total += value
            node = node.parent

    def uct(self, exploration: float) -> float:
        if self.visits == 0:
            return math.inf
        parent_visits = self.parent.visits if self.parent is not None else self.visits
        return self.total / self.visits + exploration * math.sqrt(math.log(max(1, parent_visits)) / self.visits)

    def walk(self) -> list[Node]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


def select(root: Node, exploration: float, branching: int, max_depth: int) -> Node:
    """Down the tree by UCT through nodes with no move left, to one with a move (or a leaf)."""
    node = root
    while not node.options(branching, max_depth) and node.children:
        node = max(node.children, key=lambda c: c.uct(exploration))
    return node
