"""A population of GARD assemblies: growth by catalysed joining (and leaving), splitting at a size,
and the lineages that follow.

Growth is tau-leaping: each step lasts dt = ``leap`` / (the fastest assembly's total rate), and every
assembly gains Poisson(join rate x dt) molecules of each type and loses Poisson(leave rate x dt) (at most
what it holds; an assembly never empties). So the fastest assembly sees about ``leap`` events a step, and
an assembly whose molecules catalyse more grows faster and splits more often.

An assembly that reaches ``size`` molecules splits: half its molecules (drawn without replacement) stay,
the other half is a new assembly. With ``compete`` the new one replaces an assembly drawn at random (the
population keeps its number: assemblies that split often spread, others die out, selection between
assemblies); without it the new half is discarded (every lineage keeps one assembly: no selection between
them, the control). Assembly 0 is never the one replaced, so its lineage (the *focal* one, the carpet's)
is unbroken. Every draw comes from the generator passed in."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .chemistry import rates
from .similarity import h_measure


@dataclass
class Advance:
    """What one stretch of growth did: each assembly's founder (its index when the stretch began), the H
    between an assembly's compositions at its previous split and at this one (replication fidelity), the
    focal assembly's compositions at its splits, the splits and the time elapsed."""

    founders: np.ndarray
    fidelity: list[float] = field(default_factory=list)
    focal: list[np.ndarray] = field(default_factory=list)
    splits: int = 0
    time: float = 0.0


def start(assemblies: int, types: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``assemblies`` assemblies of ``size`` // 2 molecules drawn uniformly from the environment."""
    return rng.multinomial(size // 2, np.full(types, 1.0 / types), size=assemblies).astype(np.int64)


def split(counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Half of ``counts`` (drawn without replacement) and the rest."""
    kept = rng.multivariate_hypergeometric(counts, int(counts.sum()) // 2)
    return kept.astype(np.int64), counts - kept


def advance(
    counts: np.ndarray,
    last: np.ndarray,
    beta: np.ndarray,
    rng: np.random.Generator,
    *,
    splits: int,
    size: int,
    kf: float,
    kb: float,
    compete: bool,
    leap: float = 1.0,
) -> Advance:
    """Grow the population ``counts`` (a, types; in place) until ``splits`` splits have happened.
    ``last`` (a, types; in place) holds each assembly's composition at its previous split (zeros: none)."""
    n = len(counts)
    if compete and n < 3:
        raise ValueError("advance: competing assemblies need a population of at least 3")
    out = Advance(founders=np.arange(n))
    while out.splits < splits:
        join, leave = rates(counts, beta, kf, kb)
        dt = leap / float((join + leave).sum(axis=1).max())
        grown = counts + rng.poisson(join * dt)
        shrunk = grown - np.minimum(grown, rng.poisson(leave * dt))
        empty = shrunk.sum(axis=1) == 0
        shrunk[empty] = grown[empty]
        counts[:] = shrunk
        out.time += dt
        for a in range(n):
            if counts[a].sum() >= size:
                _split_one(counts, last, a, rng, out, compete)
    return out


def _split_one(counts: np.ndarray, last: np.ndarray, a: int, rng: np.random.Generator, out: Advance,
               compete: bool) -> None:  # fmt: skip
    parent = counts[a].copy()
    if last[a].any():
        out.fidelity.append(h_measure(last[a], parent))
    if a == 0:
        out.focal.append(parent)
    kept, given = split(parent, rng)
    counts[a], last[a] = kept, parent
    if compete:
        others = [i for i in range(1, len(counts)) if i != a]
        b = others[int(rng.integers(len(others)))]
        counts[b], last[b] = given, parent
        out.founders[b] = out.founders[a]
    out.splits += 1


def descendants(counts: np.ndarray, founders: np.ndarray, assemblies: int) -> np.ndarray:
    """The molecules descended from each founder: (assemblies, types), summed over its lineage's assemblies."""
    out = np.zeros((assemblies, counts.shape[1]), dtype=np.int64)
    np.add.at(out, founders, counts)
    return out
