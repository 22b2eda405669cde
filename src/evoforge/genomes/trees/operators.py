"""Operators on expression trees (genetic programming). A tree is JSON-able: a variable name (``"x"``),
a constant (a float), or ``[op, child, ...]`` with ``op`` one of :data:`FUNCTIONS`. Evaluation is
vectorised over all sample points at once; division and log are protected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Tree = Any
FUNCTIONS: dict[str, int] = {"add": 2, "sub": 2, "mul": 2, "div": 2, "sin": 1, "cos": 1, "neg": 1}


def evaluate(tree: Tree, env: dict[str, np.ndarray]) -> np.ndarray:
    if isinstance(tree, str):
        return env[tree]
    if not isinstance(tree, list):
        return np.full_like(next(iter(env.values())), float(tree), dtype=float)
    op, args = tree[0], [evaluate(a, env) for a in tree[1:]]
    with np.errstate(all="ignore"):
        if op == "add":
            return args[0] + args[1]
        if op == "sub":
            return args[0] - args[1]
        if op == "mul":
            return args[0] * args[1]
        if op == "div":
            return np.where(np.abs(args[1]) > 1e-9, args[0] / np.where(args[1] == 0, 1.0, args[1]), 1.0)
        if op == "sin":
            return np.sin(args[0])
        if op == "cos":
            return np.cos(args[0])
        if op == "neg":
            return -args[0]
    raise ValueError(f"unknown GP function {op!r}")


def random_tree(
    rng: np.random.Generator,
    variables: Sequence[str],
    depth: int,
    grow: bool = True,
    functions: dict[str, int] = FUNCTIONS,
) -> Tree:
    """Ramped half-and-half building block: 'full' trees to ``depth``, or 'grow' trees up to it."""
    if depth <= 0 or (grow and rng.random() < 0.3):
        if rng.random() < 0.75:
            return variables[int(rng.integers(len(variables)))]
        return float(np.round(rng.uniform(-2, 2), 3))
    names = list(functions)
    op = names[int(rng.integers(len(names)))]
    return [op] + [random_tree(rng, variables, depth - 1, grow, functions) for _ in range(functions[op])]


def paths(tree: Tree, prefix: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Addresses of every node (a path of child indices, 1-based inside a list)."""
    out = [prefix]
    if isinstance(tree, list):
        for i, child in enumerate(tree[1:], start=1):
            out += paths(child, prefix + (i,))
    return out


def get(tree: Tree, path: tuple[int, ...]) -> Tree:
    for i in path:
        tree = tree[i]
    return tree


def replace(tree: Tree, path: tuple[int, ...], sub: Tree) -> Tree:
    if not path:
        return sub
    out = list(tree)
    out[path[0]] = replace(tree[path[0]], path[1:], sub)
    return out


def size(tree: Tree) -> int:
    return 1 + sum(size(c) for c in tree[1:]) if isinstance(tree, list) else 1


def depth(tree: Tree) -> int:
    return 1 + max((depth(c) for c in tree[1:]), default=0) if isinstance(tree, list) else 0


def subtree_crossover(a: Tree, b: Tree, rng: np.random.Generator, max_depth: int = 8) -> Tree:
    """Replace a random subtree of ``a`` by a random subtree of ``b`` (``a`` again if too deep)."""
    pa, pb = paths(a), paths(b)
    child = replace(a, pa[int(rng.integers(len(pa)))], get(b, pb[int(rng.integers(len(pb)))]))
    return child if depth(child) <= max_depth else a


def subtree_mutation(a: Tree, rng: np.random.Generator, variables: Sequence[str], max_depth: int = 8) -> Tree:
    pa = paths(a)
    child = replace(a, pa[int(rng.integers(len(pa)))], random_tree(rng, variables, int(rng.integers(1, 4))))
    return child if depth(child) <= max_depth else a


def to_string(tree: Tree) -> str:
    if not isinstance(tree, list):
        return str(tree)
    symbols = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
    if tree[0] in symbols:
        return f"({to_string(tree[1])} {symbols[tree[0]]} {to_string(tree[2])})"
    return f"{tree[0]}({', '.join(to_string(c) for c in tree[1:])})"
