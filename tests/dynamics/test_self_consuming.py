"""The ``self-consuming`` recipe on ``gaussian-ring``: on a fixed seed the fully synthetic loop with
sampling bias lambda < 1 loses recall over generations while keeping precision, and the fresh-data loop
does not; a run stores one record per generation (the real data first), resumes to the same records,
shows and plots them; the loop's steps and the task on known inputs; bad input is one line."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

from evoforge import RunStore
from evoforge.core.errors import ConfigError
from evoforge.core.task import load_task
from evoforge.genomes.samples import loop, mixture
from evoforge.genomes.samples.task import check_record
from evoforge.readers.plot import plot_run
from evoforge.run.api import evolve, resume


def records(path):
    store = RunStore.open(path)
    try:
        return [(c.id, c.operator, c.score, c.genome, c.metrics) for c in store.candidates()]
    finally:
        store.close()


def recall_curve(path):
    return [m["recall"] for _, _, _, g, m in records(path) if g["source"] == "model"]


def run(tmp_path, name, **params):
    evolve("gaussian-ring", "self-consuming", budget=None, seed=0, out=tmp_path / name, executor="inprocess",
           recipe_params=params)  # fmt: skip
    return tmp_path / name


def test_fully_synthetic_with_bias_loses_recall_and_fresh_data_does_not(tmp_path):
    small = {"samples": 200, "generations": 8}
    biased = run(tmp_path, "biased.db", **small, regime="fully-synthetic", bias=0.7)
    fresh = run(tmp_path, "fresh.db", **small, regime="fresh", real=100)
    lost, kept = recall_curve(biased), recall_curve(fresh)
    assert len(lost) == len(kept) == 8 and lost[0] > 0.75 and kept[0] > 0.85
    assert lost[-1] < 0.5 * lost[0] and min(kept) > 0.8  # collapse of diversity vs a stable loop
    assert records(biased)[-1][4]["precision"] > 0.95  # while quality holds


def test_a_run_stores_the_real_data_then_one_record_per_generation(tmp_path):
    path = run(tmp_path, "loop.db", samples=60, generations=3, regime="augmentation", real=20, correction=0.5)
    rows = records(path)
    assert [(r[1], r[3]["generation"], r[3]["source"]) for r in rows] == [
        ("real", 0, "real"),
        ("generation", 1, "model"),
        ("generation", 2, "model"),
        ("generation", 3, "model"),
    ]
    for _, _, score, genome, metrics in rows:
        assert check_record(genome) is genome and len(genome["points"]) == 60 and 0 <= score <= 1
        assert set(metrics) == {"precision", "recall", "diversity", "real_diversity"}
    assert [r[3].get("trained_on") for r in rows[1:]] == [60, 80, 80]  # 20 fixed real points + 60 samples
    assert [r[3].get("real_in_training") for r in rows[1:]] == [60, 20, 20]
    store = RunStore.open(path)
    try:
        assert "precision and recall vs held-out real data" in store.meta("report")
        assert plot_run(store, tmp_path / "loop.png").stat().st_size > 10_000
    finally:
        store.close()


def test_an_interrupted_run_resumes_to_the_same_records(tmp_path):
    params = {"samples": 60, "generations": 5, "regime": "fresh", "real": 20, "correction": 0.5,
              "correction_kind": "ideal"}  # fmt: skip
    whole = run(tmp_path, "whole.db", **params)

    class Stop(Exception):
        pass

    def stop(engine, batch):
        if len(engine.recipe.history) == 3:
            raise Stop

    with pytest.raises(Stop):
        evolve("gaussian-ring", "self-consuming", budget=None, seed=0, out=tmp_path / "cut.db",
               executor="inprocess", recipe_params=params, on_batch=stop, checkpoint_every=0)  # fmt: skip
    assert len(records(tmp_path / "cut.db")) == 3
    assert resume(tmp_path / "cut.db").stop_reason == "5 generations run"
    assert records(tmp_path / "cut.db") == records(whole)


def test_the_loop_steps_on_known_inputs():
    samples, reference = np.array([[0.0, 0.0], [10.0, 10.0]]), np.array([[1.0, 0.0], [10.0, 12.0], [50.0, 50.0]])
    assert loop.project(samples, reference, 0.0) is samples
    assert loop.project(samples, reference, 1.0).tolist() == [[1.0, 0.0], [10.0, 12.0]]
    assert loop.project(samples, reference, 0.5).tolist() == [[0.5, 0.0], [10.0, 11.0]]
    rng = np.random.default_rng(0)
    assert (loop.ideal(samples, 0.0, lambda k: np.ones((k, 2)), rng) == samples).all()
    assert (loop.ideal(samples, 1.0, lambda k: np.ones((k, 2)), rng) == 1.0).all()
    real = np.full((3, 2), 7.0)
    assert len(loop.training_set("fully-synthetic", samples, real)) == 2
    assert len(loop.training_set("augmentation", samples, real)) == 5 == len(loop.training_set("fresh", samples, real))
    with pytest.raises(ValueError, match="regime must be one of"):
        loop.training_set("partly", samples, real)
    with pytest.raises(ValueError, match="correction strength must be in"):
        loop.project(samples, reference, 1.5)


def test_sampling_bias_shrinks_the_spread():
    model = mixture.Mixture(np.array([1.0]), np.zeros((1, 2)), np.eye(2)[None])
    full = mixture.sample(model, 4000, np.random.default_rng(1))
    shrunk = mixture.sample(model, 4000, np.random.default_rng(1), bias=0.25)
    assert np.allclose(shrunk, 0.5 * full) and 0.9 < full.std() < 1.1
    with pytest.raises(ValueError, match=r"sampling bias must be in \(0, 1\]"):
        mixture.sample(model, 10, np.random.default_rng(1), bias=0.0)


def test_the_task_scores_real_data_near_the_ceiling_and_refuses_bad_records():
    task = load_task("gaussian-ring").value
    result = task.evaluate(task.initial())
    assert result["metrics"]["precision"] > 0.9 and result["metrics"]["recall"] > 0.9
    collapsed = {"generation": 3, "source": "model", "points": [[1.0, 0.0]] * 20}  # every sample on one mode
    low = task.evaluate(collapsed)["metrics"]
    assert low["precision"] == 1.0 and low["recall"] < 0.2 and low["diversity"] == 0.0
    with pytest.raises(ValueError, match="source must be one of real, model"):
        check_record({**collapsed, "source": "dream"})
    with pytest.raises(ValueError, match="a coordinate is not a finite number"):
        check_record({**collapsed, "points": [[float("nan"), 0.0]] * 5})
    with pytest.raises(ValueError, match="points have 3 coordinates, the task's 2"):
        task.evaluate({**collapsed, "points": [[0.0, 1.0, 2.0]] * 5})


def test_bad_parameters_are_refused_before_the_run():
    with pytest.raises(ConfigError, match=r"components \(9\) must be <= samples \(8\)"):
        evolve("gaussian-ring", "self-consuming", budget=None, recipe_params={"samples": 8, "components": 9})
    with pytest.raises(ConfigError, match="needs a samples genome"):
        evolve("sphere", "self-consuming", budget=None)


@pytest.mark.parametrize(("args", "needle"), [
    (["--set", "bias=0"], "bias must be a finite float in (0, 1], got '0'"),
    (["--set", "regime=partly"], "regime must be one of fully-synthetic, augmentation, fresh, got 'partly'"),
    (["--set", "task.std=-1"], "std must be finite and > 0, got -1.0"),
])  # fmt: skip
def test_bad_input_is_one_line_and_no_run_file(tmp_path, args, needle):
    cmd = [sys.executable, "-m", "evoforge", "run", "self-consuming", "--task", "gaussian-ring", *args]
    done = subprocess.run([*cmd, "--out", tmp_path / "x.db"], capture_output=True, text=True)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and needle in lines[0], done.stderr
    assert not (tmp_path / "x.db").exists()
