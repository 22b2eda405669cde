"""Each numeric recipe beats random search at an equal evaluation budget on its task (fixed seeds).
Scores are compared as the mean best score over seeds 0, 1, 2 and, where noted, seed by seed."""

import numpy as np
import pytest

SEEDS = (0, 1, 2)

# recipe, task, budget, recipe params, task options, random-search params (same spread where it matters)
CASES = [
    ("cma-es", "rastrigin", 2000, {}, {"dim": 10}, {}),
    ("openai-es", "rosenbrock", 2000, {}, {"dim": 10}, {}),
    ("cooperative-coevolution", "rastrigin", 2000, {}, {"dim": 20}, {}),
    ("deep-ga", "sphere", 2000, {}, {"dim": 20}, {}),
    ("diffusion-evolution", "himmelblau", 2000, {"scale": 3.0}, {"dim": 4}, {"sigma": 3.0}),
    ("one-plus-one-ea", "onemax", 1500, {}, {"n": 100}, {}),
    ("one-comma-lambda-ea", "sdbv", 1500, {}, {"n": 60}, {}),
    ("one-plus-one-ea", "adbv", 1500, {}, {"n": 60}, {}),
    ("one-comma-lambda-ea", "binval", 1500, {}, {"n": 100}, {}),
    ("novelty-search", "hard-maze", 3000, {}, {}, {}),
]


@pytest.mark.parametrize("recipe,task,budget,params,options,rs_params", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_beats_random_search(best, recipe, task, budget, params, options, rs_params):
    ours = [best(task, recipe, budget, s, params, options) for s in SEEDS]
    rand = [best(task, "random-search", budget, s, rs_params, options) for s in SEEDS]
    assert np.mean(ours) > np.mean(rand), (ours, rand)
    assert sum(o > r for o, r in zip(ours, rand)) >= 2, (ours, rand)


def test_map_elites_beats_random_search_on_qd_score(best):
    """QD score (sum over filled cells of score - offset) of the same 20x20 grid at an equal budget."""
    import evoforge
    from evoforge.core.archives import GridArchive

    offset = -np.pi  # planar-arm scores are -std(angles) >= -pi
    for seed in SEEDS:
        grid = GridArchive([(-1, 1), (-1, 1)], 20)
        evoforge.evolve(
            "planar-arm",
            "random-search",
            budget=3000,
            seed=seed,
            executor="inprocess",
            timeout=None,
            on_batch=lambda e, b, grid=grid: grid.add_batch(b, None),
        )
        me = GridArchive([(-1, 1), (-1, 1)], 20)
        evoforge.evolve(
            "planar-arm",
            "map-elites",
            budget=3000,
            seed=seed,
            executor="inprocess",
            timeout=None,
            recipe_params={"cells": 20},
            on_batch=lambda e, b, me=me: me.add_batch(b, None),
        )
        assert me.qd_score(offset) > grid.qd_score(offset), (me.qd_score(offset), grid.qd_score(offset))
        assert me.coverage > grid.coverage


def test_gp_mate_choice_beats_random_trees(best):
    """Random search for trees: the same number of random ramped half-and-half trees."""
    from evoforge.core.task import load_task
    from evoforge.genomes.trees import operators as gp

    sr = load_task("symbolic-regression", {"target": "quartic"})
    for seed in SEEDS:
        ours = best("symbolic-regression", "gp-mate-choice", 1000, seed, {"population": 50})
        rng = np.random.default_rng(seed)
        rand = max(sr.evaluate(gp.random_tree(rng, ["x"], 1 + i % 4, grow=bool(i % 2)))["score"] for i in range(1000))
        assert ours > rand, (ours, rand)
