"""A soup's epochs: every tape meets one other at random, the pair runs as one BFF program and splits
back (:func:`~evoforge.genomes.soups.bff.run_epoch`), after background mutation. Every random draw
comes from the generator passed in, so one seed gives one soup history."""

from __future__ import annotations

import numpy as np

from .bff import run_epoch


def random_soup(tapes: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``tapes`` tapes of ``length`` uniformly random bytes."""
    return rng.integers(0, 256, size=(tapes, length), dtype=np.uint8)


def mutate(soup: np.ndarray, rate: float, rng: np.random.Generator) -> int:
    """Replace each byte, with probability ``rate``, by a random byte (in place); how many were drawn."""
    if rate <= 0:
        return 0
    count = int(rng.binomial(soup.size, rate))
    if count:
        where = rng.integers(0, soup.size, size=count)
        soup[where // soup.shape[1], where % soup.shape[1]] = rng.integers(0, 256, size=count, dtype=np.uint8)
    return count


def advance(soup: np.ndarray, epochs: int, rng: np.random.Generator, *, steps: int, mutation: float) -> tuple[int, int]:
    """Run ``epochs`` epochs in place (each: mutation, then random pairs); the operations executed and
    the interactions run, in all."""
    ops = interactions = 0
    for _ in range(epochs):
        mutate(soup, mutation, rng)
        done = run_epoch(soup, rng.permutation(len(soup)), steps)
        ops, interactions = ops + int(done.sum()), interactions + len(done)
    return ops, interactions
