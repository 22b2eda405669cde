"""The engine's array path (ask_array / evaluate_array / tell_array): same search as the Candidate path,
only the kept rows on record, exact resume after kill -9, clear errors from a bad evaluate_array."""

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np

import evoforge
from evoforge import RunStore
from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


class CandidatesOnly:
    """An executor without ``evaluate_rows``: forces the Candidate path."""

    def __init__(self, task):
        self.inner = InProcessExecutor(task)

    def evaluate(self, candidates):
        return self.inner.evaluate(candidates)

    def close(self):
        pass


def run_map_elites(executor_cls, tmp_path, name):
    task = load_task("planar-arm", {"dim": 6})
    recipe = get_recipe("map-elites")(cells=20, batch_size=50)
    store = RunStore.create(tmp_path / name, {})
    engine = Engine(task, recipe, seed=4, budget=Budget(evaluations=3000), store=store)
    result = engine.run(executor_cls(task))
    return engine, result, store


def test_array_path_searches_exactly_like_the_candidate_path(tmp_path):
    fast, fast_result, fast_store = run_map_elites(InProcessExecutor, tmp_path, "fast.db")
    slow, slow_result, slow_store = run_map_elites(CandidatesOnly, tmp_path, "slow.db")
    a, b = fast.recipe.archive(), slow.recipe.archive()
    np.testing.assert_array_equal(a.scores, b.scores)
    np.testing.assert_array_equal(a.solutions, b.solutions)
    np.testing.assert_array_equal(a.ids, b.ids)
    assert fast_result.evaluations == slow_result.evaluations == 3000
    assert fast_result.best.id == slow_result.best.id and fast_result.best.score == slow_result.best.score
    # the array path records only the rows that entered the archive; each is the same candidate
    assert slow_store.count() == 3000 and 0 < fast_store.count() < 3000
    for cand in fast_store.candidates():
        twin = slow_store.candidate(cand.id)
        assert (twin.genome, twin.score, twin.parents, twin.operator) == (
            cand.genome,
            cand.score,
            cand.parents,
            cand.operator,
        )
    assert [b["best_score"] for b in fast_store.batches()] == [b["best_score"] for b in slow_store.batches()]
    assert fast_store.batches()[-1]["evaluations"] == 3000


BAD_ARRAY_TASK = """
import numpy as np
SEED = [0.0, 0.0]
BOUNDS = (-1.0, 1.0)
DESCRIPTOR_BOUNDS = [(-1.0, 1.0), (-1.0, 1.0)]
def evaluate(genome):
    return {"score": 0.0, "descriptors": list(genome)}
def evaluate_array(rows):
    return np.zeros(3), None   # wrong length
"""


def test_malformed_evaluate_array_is_one_clear_error(write_task, tmp_path):
    task = write_task(BAD_ARRAY_TASK)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "evoforge",
            "run",
            "map-elites",
            "--task",
            task,
            "--executor",
            "inprocess",
            "--budget",
            "200",
            "--out",
            str(tmp_path / "bad.db"),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "evaluate_array must return" in proc.stderr and "Traceback" not in proc.stderr


SLOW_ARRAY_TASK = """
import time
import numpy as np
SEED = [0.0] * 4
BOUNDS = (-2.0, 2.0)
DESCRIPTOR_BOUNDS = [(-2.0, 2.0), (-2.0, 2.0)]
def evaluate_array(rows):
    time.sleep(0.01)
    return -np.sum((rows - 1.0) ** 2, axis=1), rows[:, :2]
def evaluate(genome):
    s, d = evaluate_array(np.asarray([genome], dtype=float))
    return {"score": float(s[0]), "descriptors": d[0].tolist()}
"""


def rows(path):
    store = RunStore.open(path)
    try:
        assert store.integrity() == "ok"
        return [(c.id, c.score, c.genome) for c in store.candidates()], store.batches()[-1][
            "evaluations"
        ] if store.batches() else 0
    finally:
        store.close()


def start(args):
    return subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_array_path_survives_sigkill(write_task, tmp_path):
    task = write_task(SLOW_ARRAY_TASK)
    common = [
        "--task",
        task,
        "--budget",
        6000,
        "--seed",
        5,
        "--executor",
        "inprocess",
        "--batch-size",
        20,
        "--set",
        "cells=10",
    ]
    reference = tmp_path / "reference.db"
    proc = start(["run", "map-elites", *common, "--out", reference])
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    expected, evaluations = rows(reference)
    assert evaluations == 6000

    killed = tmp_path / "killed.db"
    rand, kills = random.Random(7), 0
    proc = start(["run", "map-elites", *common, "--out", killed])
    while kills < 3:
        time.sleep(rand.uniform(0.8, 1.5))
        if proc.poll() is not None:
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        if killed.exists():
            so_far, _ = rows(killed)
            assert so_far == expected[: len(so_far)]
        proc = start(
            ["resume", killed]
            if killed.exists() and rows(killed)[1]
            else ["run", "map-elites", *common, "--out", killed, "--overwrite"]
        )
    assert kills >= 2
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert rows(killed) == (expected, 6000)


def test_cma_es_array_path_matches_the_candidate_path(tmp_path):
    results = []
    for executor_cls, name in ((InProcessExecutor, "fast.db"), (CandidatesOnly, "slow.db")):
        task = load_task("rastrigin", {"dim": 8})
        recipe = get_recipe("cma-es")(popsize=12, cma_seed=3)
        store = RunStore.create(tmp_path / name, {})
        engine = Engine(task, recipe, seed=1, budget=Budget(evaluations=1200), store=store)
        results.append((engine.run(executor_cls(task)), store, recipe))
    (fast, fast_store, fast_recipe), (slow, slow_store, slow_recipe) = results
    assert fast.best.score == slow.best.score and fast.best.id == slow.best.id
    np.testing.assert_array_equal(fast_recipe.es.mean, slow_recipe.es.mean)
    assert fast_store.count() == 100 and slow_store.count() == 1200  # one per generation vs every sample
    assert fast_store.best().score == slow_store.best().score


def test_default_executor_is_inprocess_for_the_array_path(tmp_path):
    fast = evoforge.evolve("planar-arm", "map-elites", budget=2000, seed=1, out=tmp_path / "fast.db")
    slow = evoforge.evolve("planar-arm", "map-elites", budget=2000, seed=1, out=tmp_path / "slow.db", executor="pool")
    assert fast.best.score == slow.best.score
    assert RunStore.open(tmp_path / "fast.db").count() < 2000 == RunStore.open(tmp_path / "slow.db").count()
