"""The monitors on known inputs: identical samples have no diversity, samples equal to the real data have
precision and recall 1, samples in one corner keep precision and lose recall, a judge that favours its
own texts shows a positive self-preference, a constant answer is fully consistent; bad input is one
ValueError line."""

import numpy as np
import pytest

from evoforge.monitors import (
    compression_complexity,
    consistency,
    distinct_n,
    diversity,
    entropy_complexity,
    knn_radii,
    modal_share,
    precision_recall,
    quality,
    self_preference,
    sign_test,
    text_diversity,
    text_precision_recall,
)

RNG = np.random.default_rng(7)
REAL = RNG.standard_normal((400, 2))


def test_identical_samples_have_zero_diversity():
    assert diversity(np.tile([[0.3, -1.2, 5.0]], (50, 1))) == 0.0
    assert diversity(np.tile([[1.0, 2.0]], (5, 1)), metric="cosine") == pytest.approx(0.0, abs=1e-12)
    assert text_diversity(["the cat sat on the mat"] * 4) == 0.0
    assert distinct_n(["a b c"] * 4, n=2) == pytest.approx(2 / 8)  # only the n-grams of one text are distinct


def test_diversity_of_known_sets():
    assert diversity([[0.0, 0.0], [3.0, 4.0]]) == pytest.approx(5.0)
    assert diversity([[1.0, 0.0], [0.0, 1.0]], metric="cosine") == pytest.approx(1.0)
    assert diversity([[2.0]]) == 0.0  # one sample
    assert text_diversity(["a b c", "d e f"]) == 1.0 and distinct_n(["a b c", "d e f"]) == 1.0
    assert diversity(REAL) > diversity(0.1 * REAL)


def test_samples_equal_to_the_real_data_have_precision_and_recall_one():
    assert precision_recall(REAL, REAL) == (1.0, 1.0)
    p, r = precision_recall(REAL, RNG.standard_normal((400, 2)))  # the same distribution, other draws
    assert p > 0.9 and r > 0.9


def test_samples_in_one_corner_keep_precision_and_lose_recall():
    corner = REAL[(REAL[:, 0] > 0.8) & (REAL[:, 1] > 0.8)]
    assert 4 <= len(corner) < 60
    p, r = precision_recall(REAL, corner)
    assert p == 1.0 and r < 0.2
    far = precision_recall(REAL, REAL + 50.0)
    assert far == (0.0, 0.0)


def test_identical_generated_samples_cover_only_their_point():
    p, r = precision_recall(REAL, np.tile(REAL[:1], (10, 1)))
    assert p == 1.0 and r == pytest.approx(1 / len(REAL))


def test_knn_radii_and_texts_through_embeddings():
    line = np.arange(6.0)[:, None]
    assert knn_radii(line, k=1).tolist() == [1.0] * 6 and knn_radii(line, k=2).tolist() == [2, 1, 1, 1, 1, 2]

    def embed(texts):  # letter counts: a toy embedding
        return np.array([[t.count(c) for c in "abcdefgh"] for t in texts], dtype=float)

    real = ["abc", "abd", "bcd", "cde", "def", "efg", "fgh", "ach"]
    assert text_precision_recall(real, real, embed) == (1.0, 1.0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: precision_recall(REAL, REAL, k=0), "k must be a whole number >= 1"),
    (lambda: precision_recall(REAL, REAL[:3]), "generated: needs at least 4 vectors, got 3"),
    (lambda: precision_recall(REAL, np.zeros((10, 3))), "real vectors have 2 dimensions, generated ones 3"),
    (lambda: precision_recall(REAL, np.full((10, 2), np.nan)), "not finite"),
    (lambda: diversity(REAL, metric="manhattan"), "metric must be 'euclidean' or 'cosine'"),
    (lambda: diversity(np.zeros((3, 2)), metric="cosine"), "a zero vector has no cosine distance"),
    (lambda: text_diversity("one string"), "expected a sequence of texts"),
    (lambda: quality([], len), "quality: no samples"),
])  # fmt: skip
def test_bad_input_is_one_line(call, message):
    with pytest.raises(ValueError, match=message) as err:
        call()
    assert "\n" not in str(err.value)


def test_quality_and_complexity():
    assert quality(["a", "bbb", "cc"], len) == 2.0
    assert entropy_complexity(["go go go go"]) == 0.0 and entropy_complexity(["a b c d"]) == 2.0
    repetitive, varied = "la " * 40, "Quick brown foxes jump over seven lazy dogs while zebras hum quietly nearby."
    assert compression_complexity([repetitive]) < 0.2 < compression_complexity([varied])
    assert compression_complexity([""]) == 0.0


def test_a_judge_that_favours_its_own_texts_shows_self_preference():
    own = [8, 7, 9, 6, 8, 7, 9, 8, 7, 6, 8, 9]
    others = [[6, 5], [7, 6], [7, 7], [5, 4], [6, 7], [7, 6], [8, 6], [8, 8], [5, 6], [6, 5], [7, 6], [7, 8]]
    pref = self_preference(own, others)
    assert pref.items == 12 and pref.mean > 1.0 and pref.wins == 11 and pref.losses == 0 and pref.ties == 1
    assert pref.p_value == pytest.approx(2 / 2**11) and pref.p_value < 0.01
    fair = self_preference([5, 6, 7, 8], [6, 5, 8, 7])
    assert fair.mean == 0.0 and fair.wins == fair.losses == 2 and fair.p_value == 1.0
    assert self_preference([1, 2, 3], [3, 4, 5]).mean == -2.0
    with pytest.raises(ValueError, match="expected 3 items"):
        self_preference([1, 2, 3], [1, 2])


def test_sign_test():
    assert sign_test(0, 0) == 1.0 and sign_test(8, 0) == sign_test(0, 8) == pytest.approx(2 / 256)
    assert sign_test(5, 5) == 1.0 and sign_test(9, 1) == pytest.approx(2 * 11 / 1024)


def test_a_constant_answer_is_fully_consistent():
    assert consistency([["42"] * 5, ["x"] * 5, [7] * 5]) == 1.0
    assert consistency([["1", "1", "2", "3"], ["a", "b", "c", "d"]]) == pytest.approx((0.5 + 0.25) / 2)
    assert modal_share(["4", None, "4", None]) == 0.5 and modal_share([None, None]) == 0.0
    with pytest.raises(ValueError, match="no items"):
        consistency([])
