"""Boolean networks on known inputs: one step of a hand-wired network, the bit-parallel fitness against a
plain reference, a hand-built 2-bit counter and its triple-redundant version (the same clean fitness; only
the redundant one corrects every single flip and keeps the cycle under noise), modularity of two cliques
and of random graphs, and the genetic algorithm's generation."""

import numpy as np
import pytest

from evoforge.genomes.boolnets import evolve, measure, network
from evoforge.genomes.boolnets.fitness import fitness, parse_target
from evoforge.monitors.graphs import best_partition, modularity

MAJ, NOT_MAJ = "00010111", "11101000"  # tables of three inputs: entry a = sum_j input_j 2^j


def net(rows):
    """A network from (inputs, table) rows."""
    return network.from_json({"wiring": [list(w) for w, _ in rows], "tables": [t for _, t in rows]})


# outputs o0, o1 copy a 2-bit Johnson counter (c0 <- c1, c1 <- not c0) one step late: 0011 and 0110
COUNTER = net([((2, 2, 2), MAJ), ((3, 3, 3), MAJ), ((3, 3, 3), MAJ), ((2, 2, 2), NOT_MAJ)])
# the same counter three times over, each copy reading the majority of the three: nodes 2-4 are c0, 5-7 c1
TRIPLE = net([((2, 3, 4), MAJ), ((5, 6, 7), MAJ), *[((5, 6, 7), MAJ)] * 3, *[((2, 3, 4), NOT_MAJ)] * 3])
TARGET = parse_target("0011,0110")


def test_one_step_by_hand():
    # node 0 = AND(1, 2), node 1 = NOT 0, node 2 = XOR(0, 1) (the third input of each is ignored: repeated)
    wiring, tables = net([((1, 2, 2), "00010001"), ((0, 0, 0), "10000000"), ((0, 1, 1), "01100110")])
    states = np.array([[[0, 1, 1], [1, 0, 0], [1, 1, 1]]], dtype=np.uint8)  # three runs side by side
    got = network.step(states, wiring[None], tables[None])
    assert got.tolist() == [[[1, 1, 1], [0, 0, 1], [1, 0, 0]]]


def test_bit_parallel_fitness_matches_a_plain_reference():
    rng = np.random.default_rng(0)
    wiring, tables = network.random_networks(40, 10, 3, rng)
    got = fitness(wiring, tables, TARGET, steps=25, runs=8, noise=0.0, rng=None)
    states = network.trajectory(wiring, tables, steps=25)[:, :, 0, :2]  # steps, networks, outputs
    want = (states == TARGET[np.arange(25) % 4][:, None, :]).mean(axis=(0, 2))
    assert np.array_equal(got, want)


def test_noise_flips_each_update_with_its_probability():
    ones = (np.zeros((1, 2, 3), dtype=np.int64), np.ones((1, 2, 8), dtype=np.uint8))  # two constant-1 nodes
    got = fitness(*ones, parse_target("1,1"), steps=500, runs=64, noise=0.1, rng=np.random.default_rng(1))
    assert abs(got[0] - 0.9) < 0.01


def test_the_triple_counter_corrects_what_the_plain_one_cannot():
    for wiring, tables in (COUNTER, TRIPLE):
        assert fitness(wiring, tables, TARGET, steps=48, runs=1, noise=0.0, rng=None)[0] == 1.0
    plain, triple = (fitness(*n, TARGET, steps=48, runs=64, noise=0.02, rng=np.random.default_rng(2))[0]
                     for n in (COUNTER, TRIPLE))  # fmt: skip
    assert triple > 0.95 > 0.9 > plain
    assert measure.heal(*COUNTER, period=4, outputs=2) == 0.5  # a flipped output heals, a flipped phase never
    assert measure.heal(*TRIPLE, period=4, outputs=2) == 1.0
    # o1 runs c1 one step late, which is c0: one copy each for two of four nodes; in the triple counter the
    # three c0 and o1 have three copies each, the three c1 two each, o0 (c1 two steps late, negated) none
    assert measure.redundancy(*COUNTER, period=4, outputs=2) == 0.5
    assert measure.redundancy(*TRIPLE, period=4, outputs=2) == (4 * 3 + 3 * 2) / 8


def test_functional_nodes_and_wires_that_matter():
    wiring, tables = COUNTER
    junk_w = np.vstack([wiring, [[0, 1, 2]]])
    junk_t = np.vstack([tables, [[0, 1, 0, 1, 0, 1, 0, 1]]])  # node 4 reads 0, 1, 2; only its first input matters
    assert measure.functional(junk_w, junk_t, 2).tolist() == [True] * 4 + [False]
    assert measure.matters(junk_t)[4].tolist() == [True, False, False]


def test_modularity_of_two_cliques_is_one_half_and_of_random_graphs_low():
    clique = np.ones((5, 5)) - np.eye(5)
    two = np.block([[clique, np.zeros((5, 5))], [np.zeros((5, 5)), clique]])
    q, labels = best_partition(two)
    assert q == pytest.approx(0.5) and labels.tolist() == [0] * 5 + [1] * 5
    assert modularity(two, [0] * 10) == pytest.approx(0.0)
    rng = np.random.default_rng(3)
    upper = np.triu(rng.random((60, 60)) < 0.5, 1)
    dense = (upper | upper.T).astype(float)
    at_random = [modularity(dense, rng.integers(0, 4, 60)) for _ in range(20)]
    assert abs(np.mean(at_random)) < 0.03  # a random partition: Q about 0 (slightly below)
    assert best_partition(dense)[0] < 0.15  # no community structure to find
    with pytest.raises(ValueError, match="must be symmetric"):
        modularity(np.triu(np.ones((3, 3))), [0, 0, 1])


def test_a_generation_keeps_the_elite_and_mutates_the_rest():
    rng = np.random.default_rng(4)
    wiring, tables = network.random_networks(20, 6, 3, rng)
    scores = np.arange(20, dtype=float)
    new_w, new_t = evolve.next_generation(wiring, tables, scores, rng, elite=2, tournament=3, mutation=0.0)
    assert np.array_equal(new_w[:2], wiring[[19, 18]]) and np.array_equal(new_t[:2], tables[[19, 18]])
    parents = [next(i for i in range(20) if np.array_equal(new_t[c], tables[i])) for c in range(2, 20)]
    assert np.mean(parents) > 12  # tournaments of three favour the fitter
    _, mutated = evolve.next_generation(wiring, tables, scores, rng, elite=2, tournament=3, mutation=3.0)
    assert sum(not np.array_equal(mutated[c], tables[p]) for c, p in zip(range(2, 20), parents)) > 0


def test_bad_targets_and_networks_fail_with_their_reason():
    with pytest.raises(ValueError, match="comma-separated strings of 0/1 of one length"):
        parse_target("0011,01")
    with pytest.raises(ValueError, match="every table must be a string of 8 zeros and ones"):
        network.from_json({"wiring": [[0, 0, 0]], "tables": ["0101"]})
    with pytest.raises(ValueError, match=r"node indices in \[0, 1\)"):
        network.from_json({"wiring": [[0, 0, 5]], "tables": ["01010101"]})
