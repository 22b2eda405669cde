"""Step-level Monte-Carlo tree search over reasoning steps (the search of rStar-Math and MedS3),
batched across problems.

A tree per problem; a node is one step (:mod:`.step_check`) of a partial solution. Each simulation
selects one node per problem by UCT, samples ``expand`` continuations of its partial solution to the end
in one call for all problems, adds each continuation as a path of step nodes and back-propagates its
reward along the path. A step whose arithmetic is wrong ends its path (the rest of that continuation is
dropped, as rStar-Math drops a step whose code fails), and such a rollout earns 0; a finished rollout
earns 1 when the task accepts its answer and every step checked, else 0. A node's Q is the mean reward
of the rollouts through it. With a ``value`` function (a process preference model) a new node starts
with its score as a prior (one pseudo-visit, ``prior_weight``), so the model's judgement steers the
search until rollouts outweigh it. Nothing here is stored with a run: a resumed round searches again,
its generations coming back from the cache.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from .step_check import check_step, split_steps

Sampler = Callable[[list[str], int, int], list[list[str]]]  # (prompts, n, seed) -> n continuations each
Valuer = Callable[[list[str], list[str]], list[float]]  # (contexts, steps) -> a value in [0, 1] each


@dataclass(eq=False)
class Node:
    text: str = ""
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    visits: int = 0
    total: float = 0.0
    prior: float | None = None
    terminal: bool = False  # a rollout ended with this step
    bad: bool = False  # the step's arithmetic is wrong
    expanded: bool = False

    @property
    def q(self) -> float:
        """The mean reward of the rollouts through this node."""
        return self.total / self.visits if self.visits else 0.0

    def path(self) -> list[Node]:
        """The nodes from the root's first step down to this one."""
        out, node = [], self
        while node.parent is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def prefix(self) -> str:
        return "".join(n.text for n in self.path())

    def child(self, text: str, terminal: bool) -> tuple[Node, bool]:
        """The child with this step (and ending), made when missing; and whether it is new."""
        for c in self.children:
            if c.text == text and c.terminal == terminal:
                return c, False
        c = Node(text=text, parent=self, terminal=terminal, bad=check_step(text) is False)
        self.children.append(c)
        return c, True


@dataclass(eq=False)
class Tree:
    question: str
    prompt: str
    root: Node = field(default_factory=Node)
    rollouts: list[tuple[str, float]] = field(default_factory=list)  # (the whole sample, reward)
    steps: int = 0  # steps added or revisited by rollouts
    bad_steps: int = 0
    right_but_unchecked: int = 0  # rollouts with the right answer after a wrong step

    def nodes(self) -> list[Node]:
        out, todo = [], list(self.root.children)
        while todo:
            n = todo.pop()
            out.append(n)
            todo.extend(n.children)
        return out


def _uct(parent: Node, c: Node, c_uct: float, prior_weight: float) -> float:
    q = c.q if c.prior is None else (c.total + prior_weight * c.prior) / (c.visits + prior_weight)
    return q + c_uct * math.sqrt(math.log(parent.visits + 1) / (c.visits + 1))


def select(root: Node, c_uct: float = 1.0, prior_weight: float = 1.0) -> Node:
    """Walk down by UCT through expanded nodes to the first unexpanded one (or one whose children are
    all finished or wrong)."""
    node = root
    while node.expanded:
        open_ = [c for c in node.children if not c.terminal and not c.bad]
        if not open_:
            break
        node = max(open_, key=lambda c: _uct(node, c, c_uct, prior_weight))
    return node


def _insert(tree: Tree, node: Node, continuation: str, correct: Callable[[str, str], bool]) -> list[Node]:
    """Add a continuation of ``node`` as a path, back-propagate its reward; return the new nodes."""
    steps = split_steps(continuation) or [""]
    full = node.prefix() + continuation  # the model's whole sample (the monitors' view)
    new, path = [], node.path()
    for i, text in enumerate(steps):
        node, made = node.child(text, terminal=i == len(steps) - 1)
        path.append(node)
        tree.steps += 1
        if made:
            new.append(node)
        if node.bad:
            tree.bad_steps += 1
            break
    right = correct(tree.question, full)
    broken = any(n.bad for n in path)
    reward = 1.0 if right and not broken else 0.0
    tree.right_but_unchecked += int(broken and right)
    tree.rollouts.append((full, reward))
    tree.root.visits += 1
    tree.root.total += reward
    for n in path:
        n.visits += 1
        n.total += reward
    return new


def search(
    questions: list[str],
    *,
    prompt: Callable[[str], str],
    correct: Callable[[str, str], bool],
    sample: Sampler,
    simulations: int,
    expand: int,
    seed: int,
    value: Valuer | None = None,
    c_uct: float = 1.0,
    prior_weight: float = 1.0,
) -> list[Tree]:
    """One tree per question after ``simulations`` rounds of select / expand / back-propagate."""
    trees = [Tree(question=q, prompt=prompt(q)) for q in questions]
    for sim in range(simulations):
        leaves = [select(t.root, c_uct, prior_weight) for t in trees]
        outs = sample([t.prompt + leaf.prefix() for t, leaf in zip(trees, leaves)], expand, seed + sim)
        fresh: list[tuple[Tree, Node]] = []
        for t, leaf, conts in zip(trees, leaves, outs):
            leaf.expanded = True
            for cont in conts:
                fresh += [(t, n) for n in _insert(t, leaf, cont, correct) if not n.terminal and not n.bad]
        if value is not None and fresh:
            scores = value([t.prompt + n.parent.prefix() for t, n in fresh], [n.text for t, n in fresh])  # type: ignore[union-attr]
            for (_, n), s in zip(fresh, scores):
                n.prior = float(s)
    return trees


def _mean_q(node: Node) -> float:
    path = node.path()
    return sum(n.q for n in path) / len(path)


def best_trajectories(tree: Tree, k: int) -> list[str]:
    """Up to ``k`` distinct verified right solutions (finished, every step checked), highest mean Q
    along the path first (rStar-Math's choice of the policy's training data)."""
    done = [n for n in tree.nodes() if n.terminal and n.visits and n.q > 0 and not any(p.bad for p in n.path())]
    out: list[str] = []
    for n in sorted(done, key=_mean_q, reverse=True):
        text = n.prefix()
        if text not in out:
            out.append(text)
        if len(out) == k:
            break
    return out


def step_pairs(tree: Tree, per_node: int = 2) -> list[dict[str, str]]:
    """Step preference pairs from the Q-values: under each node, each of its ``per_node`` highest-Q
    children that some right rollout went through is preferred to each of its ``per_node`` lowest-Q
    children of lower Q (same partial solution, different next step). Rows ``{"prompt", "chosen",
    "rejected", "question"}`` with the partial solution in the prompt."""
    pairs = []
    for node in [tree.root, *tree.nodes()]:
        kids = sorted((c for c in node.children if c.visits), key=lambda c: c.q, reverse=True)
        if len(kids) < 2:
            continue
        context = tree.prompt + node.prefix()
        for good in [c for c in kids[:per_node] if c.q > 0]:
            for bad in [c for c in kids[::-1][:per_node] if c.q < good.q and c.text != good.text]:
                pairs.append({"prompt": context, "chosen": good.text, "rejected": bad.text, "question": tree.question})
    return pairs


def search_monitors(trees: list[Tree]) -> dict[str, float]:
    """What the search found: ``verified`` (share of problems with a verified right solution),
    ``bad_steps`` (share of steps whose arithmetic was wrong), ``unchecked_right`` (share of rollouts
    with the right answer after a wrong step: what the check threw away), ``nodes`` per tree."""
    n = max(1, len(trees))
    rollouts = max(1, sum(len(t.rollouts) for t in trees))
    return {
        "verified": sum(any(r > 0 for _, r in t.rollouts) for t in trees) / n,
        "bad_steps": sum(t.bad_steps for t in trees) / max(1, sum(t.steps for t in trees)),
        "unchecked_right": sum(t.right_but_unchecked for t in trees) / rollouts,
        "nodes": sum(len(t.nodes()) for t in trees) / n,
    }
