"""What is measured of a soup: high-order entropy near 0 for random bytes and high for copies of one
tape; distinct tapes and the most common one; mutation and epochs draw only from the generator given."""

import numpy as np
import pytest
from alife_helpers import REPLICATOR

pytest.importorskip("brotli")

from evoforge.genomes.soups import measure, replication, soup


def test_high_order_entropy_of_random_bytes_is_near_zero():
    rng = np.random.default_rng(0)
    m = measure.measure(soup.random_soup(4096, 64, rng))
    assert abs(m["high_order"]) < 0.02 and m["shannon"] > 7.99 and m["complexity"] > 7.99
    assert m["unique_tapes"] == 4096 and m["unique_bytes"] == 256 and m["top_count"] == 1


def test_high_order_entropy_of_copies_of_one_tape_is_high():
    rng = np.random.default_rng(1)
    tape = rng.integers(0, 256, size=64, dtype=np.uint8)
    m = measure.measure(np.tile(tape, (4096, 1)))
    assert m["complexity"] < 0.05 and m["high_order"] > 5.0  # ~ the entropy of 64 random bytes (~5.8 bits)
    assert m["unique_tapes"] == 1 and m["top"] == tape.tobytes().hex() and m["top_count"] == 4096


def test_the_most_common_tape_and_the_jump():
    rng = np.random.default_rng(2)
    s = soup.random_soup(100, 8, rng)
    s[10:40] = s[3]
    distinct, top, count = measure.tapes(s)
    assert distinct == 70 and top.tobytes() == s[3].tobytes() and count == 31
    rows = [{"epoch": 0, "high_order": 0.0}, {"epoch": 8, "high_order": 0.9}, {"epoch": 16, "high_order": 2.5}]
    assert measure.jump_epoch(rows, 1.0) == 16 and measure.jump_epoch(rows, 3.0) is None


def test_mutation_and_epochs_are_reproducible():
    a, b = (soup.random_soup(64, 16, np.random.default_rng(5)) for _ in range(2))
    ra, rb = np.random.default_rng(9), np.random.default_rng(9)
    assert soup.advance(a, 3, ra, steps=256, mutation=0.01) == soup.advance(b, 3, rb, steps=256, mutation=0.01)
    assert np.array_equal(a, b) and ra.integers(1 << 30) == rb.integers(1 << 30)
    before = a.copy()
    assert soup.mutate(a, 0.0, ra) == 0 and np.array_equal(a, before)
    assert soup.mutate(a, 0.05, ra) > 0 and not np.array_equal(a, before)


def test_copy_share_sees_a_replicator():
    assert replication.copy_share(REPLICATOR, other=np.zeros(64, np.uint8)) == 1.0
    assert replication.copy_share(REPLICATOR) == 1.0  # beside random bytes too
    assert replication.copy_share(np.random.default_rng(3).integers(0, 256, 64, dtype=np.uint8)) < 0.1
