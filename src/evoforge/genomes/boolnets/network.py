"""Random Boolean networks and their noisy dynamics, for many networks at once.

A network of ``n`` nodes with ``k`` inputs each is two arrays: ``wiring`` (n, k), the node each input
reads (any node, itself included), and ``tables`` (n, 2^k) of 0/1, each node's lookup table. A
population stacks them: (p, n, k) and (p, n, 2^k). States are 0/1 uint8 arrays (p, r, n): r runs
(trials) of each network side by side.

One synchronous step: every node reads its inputs' states, forms the address sum_j input_j * 2^j and
takes its table's entry there; then each node's new state is flipped with probability ``noise`` (the
update went wrong). Every random draw comes from the generator passed in."""

from __future__ import annotations

from typing import Any

import numpy as np


def random_networks(count: int, nodes: int, inputs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` networks with uniformly random wiring and tables: (count, n, k) and (count, n, 2^k)."""
    wiring = rng.integers(0, nodes, size=(count, nodes, inputs), dtype=np.int64)
    tables = rng.integers(0, 2, size=(count, nodes, 2**inputs), dtype=np.uint8)
    return wiring, tables


def step(states: np.ndarray, wiring: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """The next states, without noise: ``states`` (p, r, n), ``wiring`` (p, n, k), ``tables`` (p, n, 2^k)."""
    p, r, n = states.shape
    k = wiring.shape[2]
    read = np.take_along_axis(states, np.broadcast_to(wiring.reshape(p, 1, n * k), (p, r, n * k)), axis=2)
    address = read.reshape(p, r, n, k).astype(np.int64) @ (1 << np.arange(k, dtype=np.int64))
    flat = tables.reshape(p, 1, n * tables.shape[2])
    where = address + (np.arange(n, dtype=np.int64) * tables.shape[2])
    return np.take_along_axis(np.broadcast_to(flat, (p, r, flat.shape[2])), where, axis=2)


def flip(states: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """``states`` with each entry flipped with probability ``noise`` (in place; no draw when noise is 0)."""
    if noise > 0:
        states ^= (rng.random(states.shape) < noise).astype(np.uint8)
    return states


def trajectory(
    wiring: np.ndarray,
    tables: np.ndarray,
    *,
    steps: int,
    runs: int = 1,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """States after each of ``steps`` steps from ``start`` (default all 0): (steps, p, runs, n).
    ``wiring`` and ``tables`` may be one network (2-D) or a population (3-D)."""
    wiring, tables = population(wiring, tables)
    p, n = wiring.shape[:2]
    if noise > 0 and rng is None:
        raise ValueError("trajectory: a noisy run needs a random generator")
    states = np.zeros((p, runs, n), dtype=np.uint8) if start is None else np.array(start, dtype=np.uint8)
    out = np.empty((steps, p, runs, n), dtype=np.uint8)
    for t in range(steps):
        states = step(states, wiring, tables)
        if noise > 0:
            assert rng is not None
            flip(states, noise, rng)
        out[t] = states
    return out


def population(wiring: np.ndarray, tables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``wiring`` and ``tables`` as a population (a leading axis added to one network); checked."""
    wiring, tables = np.asarray(wiring, dtype=np.int64), np.asarray(tables, dtype=np.uint8)
    if wiring.ndim == 2:
        wiring, tables = wiring[None], tables[None]
    if wiring.ndim != 3 or tables.ndim != 3 or wiring.shape[:2] != tables.shape[:2]:
        raise ValueError(f"networks: wiring {wiring.shape} and tables {tables.shape} do not match")
    if tables.shape[2] != 2 ** wiring.shape[2]:
        raise ValueError(f"networks: {wiring.shape[2]} inputs need tables of {2 ** wiring.shape[2]} entries")
    return wiring, tables


def as_json(wiring: np.ndarray, tables: np.ndarray) -> dict[str, Any]:
    """One network as JSON: its wiring (lists of input nodes) and tables (strings of 0/1, entry 0 first)."""
    return {"wiring": np.asarray(wiring).tolist(), "tables": ["".join(map(str, row)) for row in np.asarray(tables)]}


def from_json(network: Any) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of a network in :func:`as_json`'s form; ValueError (one line) when it is malformed."""
    if not isinstance(network, dict):
        raise ValueError(f"a network is a dict with wiring and tables, not {type(network).__name__}")
    wiring, tables = network.get("wiring"), network.get("tables")
    if not isinstance(wiring, list) or not wiring or not isinstance(tables, list) or len(tables) != len(wiring):
        raise ValueError("network: wiring and tables must be lists with one entry per node")
    n = len(wiring)
    k = len(wiring[0]) if isinstance(wiring[0], list) else 0
    ok = all(isinstance(row, list) and len(row) == k for row in wiring) and k > 0
    if not ok or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n for row in wiring for i in row):
        raise ValueError(f"network: every node's wiring must be {k or 'k'} node indices in [0, {n})")
    if not all(isinstance(t, str) and len(t) == 2**k and set(t) <= {"0", "1"} for t in tables):
        raise ValueError(f"network: every table must be a string of {2**k} zeros and ones")
    return np.array(wiring, dtype=np.int64), np.array([[int(c) for c in t] for t in tables], dtype=np.uint8)
