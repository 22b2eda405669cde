import numpy as np

from evoforge.core.archives import AgingPopulation, GridArchive, Islands, NoveltyArchive, ParetoFront, dominates
from evoforge.core.candidate import Candidate
from evoforge.core.selection import ranked, tournament, truncation


def cand(i, score, desc=None, **metrics):
    return Candidate(genome=f"g{i}", id=i, score=score, status="ok", descriptors=desc, metrics=metrics)


def test_truncation_and_tournament_prefer_better():
    pool = [cand(i, float(i)) for i in range(10)]
    assert [c.id for c in truncation(pool, 3)] == [9, 8, 7]
    rng = np.random.default_rng(0)
    winners = tournament(pool, 200, rng, size=3)
    assert np.mean([w.score for w in winners]) > np.mean([c.score for c in pool]) + 1.5
    failed = Candidate(genome="x", id=99, status="failed")
    assert ranked(pool + [failed])[-1].id == 99


def test_aging_population_removes_oldest_not_worst():
    pop = AgingPopulation(3)
    for i, s in enumerate([10.0, 0.0, 1.0, 2.0]):
        pop.add(cand(i, s))
    assert [c.id for c in pop] == [1, 2, 3]  # the best (id 0) aged out
    assert pop.tournament(np.random.default_rng(0), 3).id == 3


def test_islands_migrate_best_in_a_ring():
    isl = Islands(n=3, capacity=2, interval=2, migrants=1)
    for i in range(3):
        isl.add(cand(i, float(i * 10)), island=i)
    assert not isl.tick()
    assert isl.tick()
    assert 2 in {c.id for c in isl.populations[0]}  # island 2's best moved to island 0
    assert isl.best().id == 2


def test_grid_archive_keeps_best_per_cell():
    grid = GridArchive([(0, 1), (0, 1)], cells=4)
    assert grid.add(cand(0, 1.0, [0.1, 0.1])) == "new"
    assert grid.add(cand(1, 0.5, [0.12, 0.1])) == "no"
    assert grid.add(cand(2, 2.0, [0.2, 0.2])) == "improved"
    assert grid.add(cand(3, 2.0, [0.9, 0.9])) == "new"
    assert grid.coverage == 2 / 16 and grid.qd_score() == 4.0
    heat = grid.heatmap()
    assert heat[0, 0] == 2.0 and np.isnan(heat[1, 1])


def test_novelty_is_mean_knn_distance():
    arch = NoveltyArchive(k=2, threshold=0.5)
    assert arch.add(cand(0, 0, [0.0, 0.0]), novelty=1.0)
    assert arch.add(cand(1, 0, [1.0, 0.0]), novelty=1.0)
    nov = arch.novelty(np.array([[0.0, 0.0], [10.0, 0.0]]))
    assert np.allclose(nov, [0.5, 9.5])
    assert not arch.add(cand(2, 0, [0.1, 0.0]), novelty=0.1)


def test_pareto_front_keeps_non_dominated():
    front = ParetoFront(["score", "speed"])
    assert front.add(cand(0, 1.0, speed=1.0))
    assert front.add(cand(1, 2.0, speed=0.5))
    assert not front.add(cand(2, 0.5, speed=0.5))  # dominated by both
    assert front.add(cand(3, 3.0, speed=2.0))  # dominates both
    assert [c.id for c in front.members] == [3]
    assert dominates([1, 1], [1, 0]) and not dominates([1, 0], [0, 1])
