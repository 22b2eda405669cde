"""Behaviour of the numeric recipes, tasks and operators beyond 'beats random search'."""

import json

import numpy as np
import pytest

import evoforge
from evoforge.recipes.registry import get_recipe


def run(task, recipe, budget, seed=0, params=None, options=None, **kw):
    return evoforge.evolve(
        task,
        recipe,
        budget=budget,
        seed=seed,
        executor="inprocess",
        timeout=None,
        recipe_params=params or {},
        task_options=options or {},
        **kw,
    )


def test_novelty_search_reaches_maze_goal_where_fitness_ga_does_not():
    for seed in (0, 1):
        ns = run("hard-maze", "novelty-search", 5000, seed)
        assert ns.best.metrics["reached"], ns.best.score
        for sigma in (0.3, 0.6):
            ga = run("hard-maze", "ga", 5000, seed, {"sigma": sigma})
            assert not ga.best.metrics["reached"] and ga.best.score < -0.1, ga.best.score  # stuck in the cup


def test_novelty_search_evolvability_grows():
    rec = get_recipe("novelty-search")()
    run("hard-maze", rec, 3000)
    ev = rec.evolvability
    assert len(ev) == 3000 // 50 - 1 and min(ev) >= 1.0 and np.mean(ev) > 1.2  # parents reach several cells
    assert len(rec.archive()) == 5 * (3000 // 50)

    def cells(points):
        return len({(int(x * 20), int(y * 20)) for x, y in points})

    ga_points = []
    run("hard-maze", "ga", 3000, on_batch=lambda e, b: ga_points.extend(c.descriptors for c in b))
    ns_archive = [c.descriptors for c in rec.archive().members]
    assert cells(ns_archive) > 1.5 * cells(ga_points[-300:])  # NS keeps spreading; GA's last batches don't


def test_cma_es_matches_raw_pycma_for_the_same_seed():
    cma = pytest.importorskip("cma")
    from evoforge.core.task import load_task
    from evoforge.tasks.vectors import rastrigin

    rec = get_recipe("cma-es")(popsize=12, cma_seed=7, sigma0=1.0)
    res = run("rastrigin", rec, 12 * 30, options={"dim": 8})
    es = cma.CMAEvolutionStrategy(
        load_task("rastrigin", {"dim": 8}).seed, 1.0, {"popsize": 12, "seed": 7, "verbose": -9}
    )
    best = np.inf
    for _ in range(30):
        xs = es.ask()
        fs = [rastrigin.f(np.asarray(x.tolist())) for x in xs]
        best = min(best, min(fs))
        es.tell(xs, fs)
    assert res.best.score == -best


def test_cma_es_default_popsize_and_partial_last_generation():
    res = run("sphere", "cma-es", 105, options={"dim": 5})  # default popsize 8: 13 full generations + 1
    assert res.evaluations == 105 and res.best.score > -1.0


def test_openai_es_is_antithetic():
    rec = get_recipe("openai-es")(pairs=4)
    from evoforge.core.task import load_task

    task = load_task("sphere", {"dim": 3})
    rng = np.random.default_rng(0)
    rec.setup(task, rng)
    cands = rec.ask(8, rng)
    g = np.array([c.genome for c in cands])
    np.testing.assert_allclose(g[:4] + g[4:], 2 * np.asarray(task.seed)[None].repeat(4, 0))


def test_one_comma_lambda_adapts_lambda():
    rec = get_recipe("one-comma-lambda-ea")()
    res = run("onemax", rec, 3000, options={"n": 100})
    assert res.best.score == 100
    assert max(rec.history) > 4 and min(rec.history) == 1.0  # lambda grows near the optimum, shrinks on success


def test_dynamic_binval_orders():
    from evoforge.tasks.bits import adbv, sdbv

    ref = np.array([1, 1, 0, 0, 1, 1])  # two zeros (< n/2): ADBV and SDBV agree
    fixes_one_breaks_three = np.array([0, 0, 1, 0, 1, 0])
    breaks_one = np.array([1, 1, 0, 0, 1, 0])
    for mod in (adbv, sdbv):
        v = mod.TASK.relative_fitness(ref, np.stack([ref, fixes_one_breaks_three, breaks_one]))
        assert v[1] > v[0] > v[2]  # adversarial: fixing a zero beats any number of lost ones
    ref = np.array([1, 0, 0, 0, 0, 1])  # four zeros (>= n/2): SDBV puts the ones first
    loses_a_one_fixes_two = np.array([0, 1, 1, 0, 0, 1])
    v = sdbv.TASK.relative_fitness(ref, np.stack([ref, loses_a_one_fixes_two]))
    assert v[0] > v[1]
    assert adbv.TASK.relative_fitness(ref, np.stack([ref, loses_a_one_fixes_two]))[1] > 0


def test_deep_ga_seed_lists_decode_exactly():
    from evoforge.recipes.numeric.deep_ga import decode

    rec = get_recipe("deep-ga")(population=10)
    kept = []
    run("sphere", rec, 60, options={"dim": 6}, on_batch=lambda e, b: kept.extend(b))
    child = max(kept, key=lambda c: len(c.info["seeds"]))
    assert len(child.info["seeds"]) >= 3
    np.testing.assert_allclose(
        decode(child.info["seeds"], np.full(6, 3.0), rec.sigma, rec.init_sigma), child.genome, rtol=0, atol=1e-12
    )


def test_ga_unchanged_parameters():
    assert get_recipe("ga").params() == {
        "population": 32,
        "truncation": 0.25,
        "elites": 1,
        "sigma": 0.3,
        "crossover": 0.5,
        "init_sigma": 1.0,
    }


def test_map_elites_cvt_and_grid_batch_insert():
    from evoforge.core.archives import GridArchive
    from evoforge.core.candidate import Candidate

    grid = GridArchive([(0, 1), (0, 1)], 4)
    cands = [
        Candidate(genome=[i], score=s, descriptors=d, status="ok")
        for i, (s, d) in enumerate([(1.0, [0.1, 0.1]), (2.0, [0.12, 0.1]), (0.5, [0.9, 0.9])])
    ]
    assert grid.add_batch(cands, np.array([[0.0], [1.0], [2.0]])) == (2, 0)
    assert grid.candidate(grid.index(np.array([0.1, 0.1]))[0]).score == 2.0
    assert grid.solutions[grid.index(np.array([0.1, 0.1]))[0]][0] == 1.0
    assert grid.coverage == 2 / 16 and grid.qd_score() == 2.5 and len(grid.elites) == 2
    kept = grid.add_rows(
        np.array([[5.0], [6.0]]), np.array([9.0, np.nan]), np.array([[np.nan, 0.5], [0.5, 0.5]]), np.array([7, 8])
    )
    assert len(kept) == 0 and grid.coverage == 2 / 16  # NaN descriptor or score: ignored
    rec = get_recipe("map-elites")(cells=30, archive_kind="cvt", batch_size=50)
    run("planar-arm", rec, 1000, options={"dim": 5})
    arch = rec.archive()
    assert arch.centroids.shape == (30, 2) and 0.3 < arch.coverage <= 1.0
    assert arch.heatmap().shape == (100, 100)


def test_tasks():
    from evoforge.core.errors import TaskError
    from evoforge.core.task import load_task
    from evoforge.tasks.vectors import ackley, himmelblau, planar_arm, rosenbrock

    assert rosenbrock.f(np.ones(5)) == 0 and abs(ackley.f(np.zeros(7))) < 1e-12
    assert himmelblau.f(np.array([3.0, 2.0, -2.805118, 3.131312])) < 1e-4 < himmelblau.f(np.zeros(3))
    ends = planar_arm.forward(np.zeros((1, 4)))
    np.testing.assert_allclose(ends, [[1.0, 0.0]])
    qe = load_task("quantum-entanglement", {"qubits": 3, "layers": 2})
    ghz = [1, np.pi / 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 3, 0, 0, 0, 0, 0]  # RY(pi/2), CX01, CX12
    assert abs(qe.evaluate(ghz)["score"] - 1.0) < 1e-12 and qe.evaluate([0.0] * 18)["score"] == 0.0
    assert len(load_task("quantum-entanglement").seed) == 36  # the defaults: 4 qubits, 3 layers
    with pytest.raises(TaskError, match=r"qubits must be in 2\.\.5"):
        load_task("quantum-entanglement", {"qubits": 6})


def test_gp_trees_are_json():
    res = run("symbolic-regression", "gp-mate-choice", 400, params={"population": 40})
    assert json.loads(json.dumps(res.best.genome)) == res.best.genome
    from evoforge.tasks.trees import symbolic_regression as sr

    assert res.best.score > sr.TASK.evaluate("x")["score"] + 0.2


def test_gym_tasks():
    pytest.importorskip("gymnasium")
    from evoforge.tasks.vectors import cartpole, mountain_car_continuous

    good = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]  # push right when the pole leans right
    cart = cartpole.TASK
    assert cart.evaluate(good)["score"] > 100 > cart.evaluate([0.0] * 10)["score"]
    assert cart.evaluate(good) == cart.evaluate(good)
    assert mountain_car_continuous.TASK.evaluate([0.0, 0.0, 0.0])["score"] == 0.0


def test_gym_missing_is_a_task_error(monkeypatch):
    import sys

    from evoforge.core.errors import TaskError
    from evoforge.core.task import load_task

    monkeypatch.setitem(sys.modules, "gymnasium", None)
    with pytest.raises(TaskError, match="pip install"):
        load_task("cartpole").evaluate([0.0] * 10)


def test_plot_map_elites_and_maze(tmp_path):
    from evoforge.readers.plot import plot_run
    from evoforge.store.run_file import RunStore

    for recipe, task in (("map-elites", "planar-arm"), ("novelty-search", "hard-maze")):
        path = tmp_path / f"{recipe}.db"
        evoforge.evolve(task, recipe, budget=300, executor="inprocess", timeout=None, out=path)
        store = RunStore.open(path)
        try:
            out = plot_run(store, tmp_path / f"{recipe}.png")
        finally:
            store.close()
        assert out.stat().st_size > 10_000
