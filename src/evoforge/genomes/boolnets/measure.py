"""What is measured of one network, beside its fitness: which of its wiring matters, error correction,
redundancy and modularity.

- An input *matters* when the node's table changes with it; the *functional* nodes are those with a path
  of inputs that matter to an output (the outputs included). The rest is junk that evolution left.
- ``heal``: the share of the functional nodes whose single flip, after the network has run a while
  without noise, is gone from the outputs some steps later (they run on the target cycle as if nothing
  happened). A network with no redundancy keeps a flipped phase forever; one with an error-correcting
  code (a majority of copies) undoes it.
- ``redundancy``: per functional node, how many other functional nodes carry exactly its state sequence
  (a repetition code's copies), averaged.
- ``modularity``: Newman's Q of the best partition a greedy search finds of the undirected graph of the
  inputs that matter among functional nodes (``modularity_all``: of every wire of the network)."""

from __future__ import annotations

import numpy as np

from evoforge.monitors.graphs import best_partition

from .network import trajectory


def matters(tables: np.ndarray) -> np.ndarray:
    """(n, k) booleans: whether node i's table depends on its input j."""
    size = tables.shape[1]
    k = size.bit_length() - 1
    address = np.arange(size)
    return np.stack([(tables != tables[:, address ^ (1 << j)]).any(axis=1) for j in range(k)], axis=1)


def functional(wiring: np.ndarray, tables: np.ndarray, outputs: int) -> np.ndarray:
    """(n,) booleans: the nodes with a path of inputs that matter to one of the first ``outputs`` nodes."""
    used = matters(tables)
    reach = np.zeros(len(wiring), dtype=bool)
    reach[:outputs] = True
    frontier = list(range(outputs))
    while frontier:
        node = frontier.pop()
        for source in wiring[node][used[node]]:
            if not reach[source]:
                reach[source] = True
                frontier.append(int(source))
    return reach


def graph(wiring: np.ndarray, keep: np.ndarray | None = None, used: np.ndarray | None = None) -> np.ndarray:
    """The undirected weighted graph of the wires (self-loops dropped): ``keep`` selects nodes, ``used``
    (n, k) the wires that count (default all)."""
    n = len(wiring)
    adj = np.zeros((n, n))
    mask = np.ones(wiring.shape, dtype=bool) if used is None else used
    for node in range(n):
        for source in wiring[node][mask[node]]:
            if source != node:
                adj[node, source] += 1
                adj[source, node] += 1
    return adj if keep is None else adj[np.ix_(keep, keep)]


def modularity(wiring: np.ndarray, tables: np.ndarray, outputs: int) -> tuple[float, float, int]:
    """Q of the functional graph, Q of the whole wiring, and the communities of the functional graph."""
    keep = functional(wiring, tables, outputs)
    q_used, labels = best_partition(graph(wiring, keep, matters(tables)))
    q_all, _ = best_partition(graph(wiring))
    return q_used, q_all, int(labels.max() + 1) if len(labels) else 0


def heal(wiring: np.ndarray, tables: np.ndarray, period: int, outputs: int) -> float:
    """The share of functional nodes whose flip at step 2T has left the outputs after T + 2T + 8 more
    noise-free steps (compared over the last T steps with the unflipped run); 1.0 with none."""
    keep = np.flatnonzero(functional(wiring, tables, outputs))
    at, after = 2 * period, 3 * period + 8
    nominal = trajectory(wiring, tables, steps=at + after)[:, 0, 0]  # (steps, n)
    starts = np.repeat(nominal[at - 1][None], len(keep), axis=0)
    starts[np.arange(len(keep)), keep] ^= 1
    runs = trajectory(wiring, tables, steps=after, runs=len(keep), start=starts[None])[:, 0]  # (after, r, n)
    tail = slice(after - period, after)
    same = (runs[tail, :, :outputs] == nominal[at:][tail][:, None, :outputs]).all(axis=(0, 2))
    return float(same.mean()) if len(keep) else 1.0


def redundancy(wiring: np.ndarray, tables: np.ndarray, period: int, outputs: int) -> float:
    """Mean count, per functional node, of the other functional nodes with the same states over 2T steps
    (after 2T + 8 steps without noise)."""
    keep = np.flatnonzero(functional(wiring, tables, outputs))
    series = trajectory(wiring, tables, steps=4 * period + 8)[-2 * period :, 0, 0][:, keep].T  # (nodes, 2T)
    if len(series) < 2:
        return 0.0
    same = (series[:, None, :] == series[None, :, :]).all(axis=2)
    return float((same.sum(axis=1) - 1).mean())
