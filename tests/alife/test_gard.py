"""GARD on known inputs: the rates of a 2-type system by hand, the multilevel Price equation's identity
(its two terms sum to the total change) on a constructed example and a case computed by hand, the
H-measure and composomes, splits that conserve molecules, and a population whose lineages are tracked;
the task scores a record with its own chemistry and refuses a malformed one."""

import numpy as np
import pytest

from evoforge.core.task import load_task
from evoforge.genomes.protocells import assemblies, chemistry, similarity
from evoforge.genomes.protocells.price import price
from evoforge.genomes.protocells.task import check_record


def test_rates_of_a_two_type_system_by_hand():
    beta = np.array([[0.0, 4.0], [1.0, 0.0]])  # type 1 catalyses type 0's joining 4-fold per unit share
    join, leave = chemistry.rates(np.array([[3, 1]]), beta, kf=2.0, kb=0.5)
    # N = 4; enhancement_0 = 1 + 4 * 1/4 = 2, enhancement_1 = 1 + 1 * 3/4 = 1.75
    assert join.tolist() == [[2.0 * 4 * 2 / 2, 2.0 * 4 * 1.75 / 2]]  # kf N enhancement / types
    assert leave.tolist() == [[0.5 * 3 * 2, 0.5 * 1 * 1.75]]
    assert chemistry.activity(beta).tolist() == pytest.approx([np.log10(0.5), np.log10(2.0)])


def test_the_catalysis_matrix_is_lognormal_and_seeded():
    beta = chemistry.catalysis(200, -4.0, 2.0, seed=5)
    assert np.array_equal(beta, chemistry.catalysis(200, -4.0, 2.0, seed=5))
    logs = np.log(beta)
    assert abs(logs.mean() + 4.0) < 0.05 and abs(logs.std() - 2.0) < 0.05
    assert np.all(chemistry.catalysis(3, -4.0, 0.0, seed=1) == np.exp(-4.0))


def test_the_price_terms_sum_to_the_total_change():
    rng = np.random.default_rng(0)
    before = rng.integers(0, 30, size=(12, 6))
    after = rng.integers(0, 60, size=(12, 6))
    after[3] = 0  # a lineage that died out
    trait = rng.standard_normal(6)
    split = price(before, after, trait)
    assert split.total == pytest.approx(split.between + split.within, abs=1e-12) and abs(split.gap) < 1e-12
    assert split.after == pytest.approx((after.sum(0) @ trait) / after.sum())


def test_price_on_a_case_worked_by_hand():
    # group A: 2 molecules of trait 1 -> 6 of trait 1 (w = 3); group B: 2 of trait 0 -> 2, one now of trait 1
    split = price([[2, 0], [0, 2]], [[6, 0], [1, 1]], [1.0, 0.0])
    # q = (1/2, 1/2), w = (3, 1), mean w = 2; Z = (1, 0) -> 1/2; Z' = 7/8
    # between = Cov(w, Z) / w = (1/2 * 3 * 1 - 2 * 1/2) / 2 = 1/4; within = (1/2 * 1 * 1/2) / 2 = 1/8
    assert (split.before, split.after, split.between, split.within) == pytest.approx((0.5, 0.875, 0.25, 0.125))
    with pytest.raises(ValueError, match="cannot have descendants"):
        price([[2, 0], [0, 0]], [[2, 0], [1, 0]], [1.0, 0.0])


def test_h_measure_carpet_and_composomes():
    assert similarity.h_measure([1, 2, 0], [2, 4, 0]) == pytest.approx(1.0)
    assert similarity.h_measure([1, 0], [0, 3]) == 0.0
    a, b = [10, 10, 0, 0], [0, 0, 10, 10]
    line = [a, a, [9, 11, 0, 0], b, b, [0, 1, 10, 9], a]
    c = similarity.carpet(line)
    assert c.shape == (7, 7) and np.allclose(np.diag(c), 1.0) and c[0, 3] == 0.0
    assert similarity.composomes(line) == (2, 1.0)  # a (returning at the end) and b
    assert similarity.composomes([[1, 0, 0], [0, 1, 0], [0, 0, 1]]) == (0, 0.0)


def test_splits_conserve_molecules_and_a_population_tracks_its_lineages():
    rng = np.random.default_rng(1)
    kept, given = assemblies.split(np.array([5, 0, 7, 2]), rng)
    assert (kept + given).tolist() == [5, 0, 7, 2] and kept.sum() == 7 and (kept >= 0).all()
    beta = chemistry.catalysis(8, -4.0, 4.0, seed=2)
    counts = assemblies.start(6, 8, 16, rng)
    last = np.zeros_like(counts)
    assert (counts.sum(axis=1) == 8).all()
    done = assemblies.advance(counts, last, beta, rng, splits=30, size=16, kf=1.0, kb=0.01, compete=True)
    assert done.splits >= 30 and done.time > 0 and (counts.sum(axis=1) < 16).all()
    assert done.founders[0] == 0 and len(done.focal) >= 1 and all(c.sum() >= 16 for c in done.focal)
    assert all(0 <= h <= 1 for h in done.fidelity) and len(done.fidelity) > 0
    after = assemblies.descendants(counts, done.founders, 6)
    assert after.sum() == counts.sum() and (after[np.setdiff1d(range(6), done.founders)] == 0).all()
    alone = assemblies.start(4, 8, 16, rng)
    done = assemblies.advance(alone, np.zeros_like(alone), beta, rng, splits=12, size=16, kf=1.0, kb=0.01,
                              compete=False)  # fmt: skip
    assert done.founders.tolist() == [0, 1, 2, 3]  # without competition no lineage replaces another


def test_the_task_scores_a_record_with_its_chemistry():
    task = load_task("gard").value
    result = task.evaluate(task.initial())
    assert result["score"] == result["metrics"]["activity"] and result["metrics"]["total"] == 0.0
    record = {**task.initial(), "after": [[1] * 40] * 16}
    scored = task.evaluate(record)["metrics"]
    assert scored["total"] == pytest.approx(scored["between"] + scored["within"])
    with pytest.raises(ValueError, match="before must be 16 rows of 40 counts"):
        check_record({**record, "before": [[1] * 39] * 16})
    with pytest.raises(ValueError, match="fidelity must be in"):
        check_record({**record, "fidelity": 2.0})
    with pytest.raises(ValueError, match="40 molecule types, the task's chemistry has 30"):
        load_task("gard", {"types": 30}).value.evaluate(record)
