"""What a network is scored on: its first m nodes (the outputs) must run through a target cycle, step
after step, from the all-zero state. The target is m strings of 0/1 of one length T (``"0011,0110"``:
output 0 reads 0, 0, 1, 1, 0, 0, ... and output 1 reads 0, 1, 1, 0, ...); after step t (t = 1, 2, ...)
output j should hold ``target[j][(t - 1) % T]``.

Fitness is the share of output bits that match over ``steps`` steps, averaged over ``runs`` noisy runs:
1 for a perfect network without noise, 1 - noise at best with it (an output's own update can fail), about
1/2 for a random network. The cycle needs memory (nothing outside tells the network the time), so a flip
of a node that holds the phase derails every later step unless the network corrects it.

The runs go bit-parallel: a node's state in up to 64 runs is one uint64 word, a table lookup is a tree
of multiplexers on words, and noise flips Binomial(bits, noise) bits at uniformly drawn places (a bit
drawn twice flips back: a negligible bias at small noise). Without noise every run is the same, so one
is run."""

from __future__ import annotations

import numpy as np

from .network import population

WORD = 64  # runs per word
ONES = np.uint64(2**64 - 1)


def parse_target(text: str) -> np.ndarray:
    """The target ``"0011,0110"`` as a (T, m) uint8 array (row t: the outputs after step t + 1);
    ValueError (one line) when it is not m >= 1 strings of 0/1 of one length >= 1."""
    rows = [part.strip() for part in str(text).split(",")]
    if not rows or not rows[0] or any(set(r) - {"0", "1"} or len(r) != len(rows[0]) for r in rows):
        raise ValueError(f"target must be comma-separated strings of 0/1 of one length, got {text!r}")
    return np.array([[int(c) for c in r] for r in rows], dtype=np.uint8).T.copy()


def fitness(
    wiring: np.ndarray,
    tables: np.ndarray,
    target: np.ndarray,
    *,
    steps: int,
    runs: int,
    noise: float,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Each network's share of output bits on target, averaged over ``runs`` (1 to 64) runs of ``steps``
    steps with each node's update flipped with probability ``noise``: (p,) floats (one network: (1,))."""
    wiring, tables = population(wiring, tables)
    p, n = wiring.shape[:2]
    period, outputs = target.shape
    if outputs > n:
        raise ValueError(f"target has {outputs} outputs, the network only {n} nodes")
    if not 1 <= runs <= WORD:
        raise ValueError(f"fitness: runs must be in [1, {WORD}], got {runs}")
    if noise > 0 and rng is None:
        raise ValueError("fitness: a noisy run needs a random generator")
    runs = runs if noise > 0 else 1
    used = np.uint64(2**runs - 1)
    masks = np.zeros(tables.shape, dtype=np.uint64) - tables.astype(np.uint64)  # all ones where the entry is 1
    wanted = np.where(target.astype(bool), used, np.uint64(0))  # (T, m)
    states = np.zeros((p, n), dtype=np.uint64)
    flat = wiring.reshape(p, -1)
    hits = np.zeros(p, dtype=np.int64)
    for t in range(steps):
        states = _step(states, flat, masks)
        if noise > 0:
            assert rng is not None
            _flip(states, runs, noise, rng)
        right = ~(states[:, :outputs] ^ wanted[t % period]) & used
        hits += np.bitwise_count(right).sum(axis=1, dtype=np.int64)
    return hits / (steps * runs * outputs)


def _step(states: np.ndarray, flat_wiring: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """One noise-free step of every run: each table entry's mask, narrowed input by input (bit j of the
    address picks between entries that differ in bit j)."""
    p, n = states.shape
    k = flat_wiring.shape[1] // n
    read = np.take_along_axis(states, flat_wiring, axis=1).reshape(p, n, k)
    values = masks
    for j in range(k):
        s = read[:, :, j : j + 1]
        values = (values[:, :, 0::2] & ~s) | (values[:, :, 1::2] & s)
    return values[:, :, 0]


def _flip(states: np.ndarray, runs: int, noise: float, rng: np.random.Generator) -> None:
    """Flip each of the used bits (``runs`` per word) with probability ``noise``, in place."""
    count = int(rng.binomial(states.size * runs, noise))
    if count:
        where = rng.integers(0, states.size * runs, size=count)
        bits = np.left_shift(np.uint64(1), (where % runs).astype(np.uint64))
        np.bitwise_xor.at(states.reshape(-1), where // runs, bits)
