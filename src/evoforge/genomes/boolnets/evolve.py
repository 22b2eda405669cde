"""One generation of the genetic algorithm on a population of networks: the ``elite`` best pass on
unchanged, every other place goes to a copy of a tournament winner (the fittest of ``tournament`` drawn
at random) with Poisson(``mutation``) point mutations, each a flipped table entry or a rewired input
(even odds). Vectorised over the population; every draw comes from the generator passed in."""

from __future__ import annotations

import numpy as np


def next_generation(
    wiring: np.ndarray,
    tables: np.ndarray,
    scores: np.ndarray,
    rng: np.random.Generator,
    *,
    elite: int,
    tournament: int,
    mutation: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The next population (same shapes) from ``scores`` (higher is better; ties go to the lower index)."""
    p = len(wiring)
    order = np.argsort(-scores, kind="stable")
    keep = order[: min(elite, p)]
    children = p - len(keep)
    entrants = rng.integers(0, p, size=(children, tournament))
    winners = entrants[np.arange(children), np.argmax(scores[entrants], axis=1)]
    parents = np.concatenate([keep, winners])
    new_wiring, new_tables = wiring[parents].copy(), tables[parents].copy()
    mutate(new_wiring[len(keep) :], new_tables[len(keep) :], rng, mutation)
    return new_wiring, new_tables


def mutate(wiring: np.ndarray, tables: np.ndarray, rng: np.random.Generator, rate: float) -> int:
    """Poisson(``rate``) point mutations per network, in place; how many in all."""
    p, n, k = wiring.shape
    counts = rng.poisson(rate, size=p)
    total = int(counts.sum())
    if total == 0:
        return 0
    who = np.repeat(np.arange(p), counts)
    node = rng.integers(0, n, size=total)
    rewire = rng.random(total) < 0.5
    slot = rng.integers(0, k, size=total)
    source = rng.integers(0, n, size=total)
    entry = rng.integers(0, tables.shape[2], size=total)
    wiring[who[rewire], node[rewire], slot[rewire]] = source[rewire]
    flips = ~rewire
    np.bitwise_xor.at(tables, (who[flips], node[flips], entry[flips]), np.uint8(1))
    return total
