"""The shared ranking key, Boltzmann sampler, islands and grid archive draw exactly as the per-recipe
code they replaced (same random draws in the same order: a seeded run repeats itself)."""

import numpy as np

from evoforge.core.archives import GridArchive, Islands
from evoforge.core.candidate import Candidate
from evoforge.core.selection import boltzmann, tournament


def cand(i, score, desc=None, genome=None):
    return Candidate(genome=genome if genome is not None else f"g{i}", id=i, score=score, status="ok", descriptors=desc)


def test_rank_key_best_first_then_older():
    pool = [cand(3, 1.0), cand(1, 2.0), cand(2, 1.0), Candidate(genome="x", id=0, status="failed")]
    assert [c.id for c in sorted(pool, key=Candidate.rank_key)] == [1, 2, 3, 0]
    picks = np.random.default_rng(0).integers(0, 2, size=(20, 2))
    want = [4 if 1 in row else 5 for row in picks.tolist()]  # a tie goes to the older (id 4)
    assert [c.id for c in tournament([cand(5, 1.0), cand(4, 1.0)], 20, np.random.default_rng(0))] == want
    assert 4 in want and 5 in want


def test_boltzmann_draws_as_the_formulas_it_replaced():
    pool = [cand(i, s) for i, s in enumerate([0.1, 0.5, 0.45, 0.9, 0.3])]
    fit = np.array([c.score for c in pool])
    # mind-evolution's: exp(fitness / T), with replacement
    w = np.exp((fit - fit.max()) / 0.1)
    want = np.random.default_rng(3).choice(5, size=7, p=w / w.sum())
    got = boltzmann(pool, 7, np.random.default_rng(3), 0.1)
    assert [c.id for c in got] == want.tolist()
    # funsearch's: scores normalised to [0, 1], without replacement
    p = np.exp((fit - fit.max()) / (fit.max() - fit.min()) / 0.1)
    want = np.random.default_rng(4).choice(5, size=3, replace=False, p=p / p.sum())
    got = boltzmann(pool, 3, np.random.default_rng(4), 0.1, normalise=True, replace=False)
    assert [c.id for c in got] == want.tolist()
    assert len(boltzmann(pool[:2], 5, np.random.default_rng(0), normalise=True, replace=False)) == 2


def test_islands_keep_ranked_weakest_and_refill():
    isl = Islands(3, capacity=2, interval=0, keep_ranked=True)
    for i, (score, island) in enumerate([(1.0, 0), (3.0, 0), (0.5, 1), (2.0, 2), (5.0, 0)]):
        isl.add(cand(i, score), island)
    assert [c.id for c in isl.populations[0]] == [4, 1]  # sorted, capacity kept
    assert isl.weakest() == [1, 2, 0] and not isl.tick()
    isl.refill(1, isl.populations[0][:1])
    assert [c.id for c in isl.populations[1]] == [4] and isl.populations[1] is not isl.populations[0]
    loose = Islands(1, capacity=3)
    for i, score in enumerate([1.0, 3.0]):
        loose.add(cand(i, score), 0)
    assert [c.id for c in loose.populations[0]] == [0, 1]  # arrival order until it overflows


def test_grid_archive_holds_any_genome_and_samples_in_fill_order():
    grid = GridArchive([(0, 1), (0, 1)], cells=4)
    assert grid.add(cand(0, 1.0, [0.9, 0.9], genome="def f(): pass")) == "new"
    assert grid.add(cand(1, 1.0, [0.1, 0.1], genome="def g(): pass")) == "new"
    assert grid.add(cand(2, 0.5, [0.95, 0.9])) == "no"
    assert grid.add(cand(3, 2.0, [0.95, 0.9], genome="def h(): pass")) == "improved"
    assert list(grid.elites) == [(3, 3), (0, 0)]  # first filled first, as the dict archive listed them
    assert [c.id for c in grid.elites.values()] == [3, 1] and grid.elites[(3, 3)].genome == "def h(): pass"
    rng = np.random.default_rng(5)
    picks = rng.integers(0, 2, size=6)
    assert [c.id for c in grid.sample(6, np.random.default_rng(5))] == [[3, 1][i] for i in picks]
    vec = cand(9, 4.0, [0.1, 0.6], genome=[1.0, 2.0])
    assert grid.add(vec) == "new" and grid.solutions[grid.index(np.array([0.1, 0.6]))[0]].tolist() == [1.0, 2.0]
    grid.add_rows(np.array([[7.0, 7.0]]), np.array([9.0]), np.array([[0.1, 0.1]]), np.array([11]))
    assert grid.elites[(0, 0)].id == 11 and grid.elites[(0, 0)].genome == [7.0, 7.0]  # the row replaced it


def test_grid_archive_pickled_by_the_dict_based_archive_still_loads():
    grid = GridArchive.__new__(GridArchive)
    grid.__setstate__(
        {
            "low": np.zeros(2),
            "high": np.ones(2),
            "dims": np.array([4, 4]),
            "elites": {(3, 3): cand(0, 1.0, [0.9, 0.9]), (0, 0): cand(1, 2.0, [0.1, 0.1])},
        }
    )
    assert [c.id for c in grid.elites.values()] == [0, 1] and grid.qd_score() == 3.0
