"""What `run` and `show` say about a run: the seed's score for every recipe, the progress total of the
budget that ends the run, task-declared failures, and run files that stay small and exact."""

import json
import math
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import evoforge
from evoforge.cli.progress import RunProgress, leading
from evoforge.core.budget import Budget
from evoforge.store.rows import pack, unpack
from evoforge.store.run_file import RunStore


def evoforge_cli(*args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize(
    ("recipe", "where"),
    [
        ("ga", "(candidate 0)"),  # evaluates the SEED itself
        ("cma-es", "(evaluated once after the run, outside its budget)"),  # never does
        ("map-elites", "(evaluated once after the run, outside its budget)"),  # array path, never does
    ],
)
def test_run_and_show_print_the_seed_score_of_every_vector_recipe(tmp_path, recipe, where):
    db = tmp_path / "run.db"
    proc = evoforge_cli("run", recipe, "-t", "sphere", "-b", 64, "-o", db, "-q", "-e", "inprocess")
    assert proc.returncode == 0, proc.stderr
    shown = evoforge_cli("show", db)
    assert shown.returncode == 0, shown.stderr
    for text in (proc.stdout, shown.stdout):
        assert f"seed score -90 {where}" in text  # sphere's SEED (3, ..., 3) in 10-D scores -90
        assert "answer (" not in text  # these recipes' answer is their best candidate, shown as such
    store = RunStore.open(db)
    try:
        assert store.meta("status") == "finished" and store.last_batch()["evaluations"] == 64  # not counted
    finally:
        store.close()


def test_progress_total_is_the_budget_that_ends_the_run(tmp_path):
    db = tmp_path / "run.db"
    proc = evoforge_cli("run", "ga", "-t", "sphere", "-b", 100000, "--generations", 3, "-o", db, "-e", "inprocess")
    assert proc.returncode == 0, proc.stderr
    assert "generation budget reached (3/3)" in proc.stdout
    assert "3/3 batches" in proc.stderr and "/100000" not in proc.stderr


def _engine(evaluations, batch, answers, max_calls):
    from evoforge.llm.usage import UsageMeter

    meter = UsageMeter()
    for _ in range(answers):
        meter.record("op", calls=1, prompt_tokens=10, completion_tokens=5)
    return SimpleNamespace(
        state=SimpleNamespace(evaluations=evaluations, batch=batch, elapsed=1.0, best_score=2.0),
        budget=Budget(evaluations=1000, max_calls=max_calls),
        spend=SimpleNamespace(spent=lambda: meter.total),
    )


def test_progress_follows_model_calls_when_they_end_the_run_first():
    engine = _engine(evaluations=178, batch=40, answers=200, max_calls=200)
    lead = leading(engine)
    assert (lead.done, lead.total, lead.unit) == (200, 200, "model calls") and lead.text() == "200/200 model calls"
    progress = RunProgress(1000, quiet=True)
    progress(engine, [])
    task = progress.bar.tasks[0]
    assert task.total == 200 and task.completed == 200 and task.fields["spent"] == "200/200 model calls"
    early = _engine(evaluations=900, batch=40, answers=10, max_calls=200)
    assert leading(early).text() == "900/1000 evaluations"  # evaluations are nearer to the end here


FAILING_TASK = """
SEED = [1.0, 1.0]
FAILURE_SCORE = -1000
DESCRIPTOR_BOUNDS = [(-5, 5), (-5, 5)]

def evaluate(genome):
    if genome[0] < 0:
        return {"score": -1000, "feedback": "broken: x < 0"}
    return {"score": -(genome[0] ** 2 + genome[1] ** 2)}

def evaluate_array(rows):
    import numpy as np
    scores = -(rows ** 2).sum(axis=1)
    return np.where(rows[:, 0] < 0, -1000.0, scores), rows[:, :2]
"""


@pytest.mark.parametrize("recipe", ["ga", "map-elites"])
def test_a_task_failure_score_makes_sentinels_failures_with_a_reason(write_task, tmp_path, recipe):
    task = write_task(FAILING_TASK)
    out = tmp_path / "run.db"
    res = evoforge.evolve(task, recipe, budget=200, executor="inprocess", out=out)
    store = RunStore.open(out)
    try:
        ok = list(store.candidates("ok"))
        assert ok and all(c.score > -1000 and c.genome[0] >= 0 for c in ok)  # no sentinel ranks as a success
        failed = list(store.candidates("failed"))
        if recipe == "ga":  # the array path records archive entrants only
            assert failed and all(c.genome[0] < 0 for c in failed)
            assert all(
                c.reason == "score -1000 is at or below the task's FAILURE_SCORE (-1000): broken: x < 0" for c in failed
            )
    finally:
        store.close()
    assert res.best.score > -1000


def test_failure_reason_predicate_and_a_bad_failure_score(write_task):
    from evoforge.core.errors import TaskError

    task = write_task(
        "SEED = [1.0]\n"
        "def evaluate(g):\n    return {'score': g[0], 'metrics': {'error': 'nan input' if g[0] > 2 else None}}\n"
        "def failure_reason(result):\n    return result['metrics']['error']\n"
    )
    res = evoforge.evolve(task, "ga", budget=120, executor="inprocess")
    assert res.best.score <= 2  # every genome above 2 failed, so none of them is the best
    bad = write_task("SEED = [1.0]\nFAILURE_SCORE = 'low'\ndef evaluate(g):\n    return g[0]\n", name="bad.py")
    with pytest.raises(TaskError, match="FAILURE_SCORE must be a number"):
        evoforge.evolve(bad, "ga", budget=10, executor="inprocess")


def test_vector_fields_pack_losslessly_and_old_json_rows_still_read():
    values = [0.1, -0.0, 5e-324, 1.7976931348623157e308, float("nan"), float("inf"), 1 / 3]
    packed = pack(values)
    assert isinstance(packed, bytes) and len(packed) == 1 + 8 * len(values)
    back = unpack(packed)
    assert [math.copysign(1, v) for v in back] == [math.copysign(1, v) for v in values]
    assert np.array_equal(np.array(back), np.array(values), equal_nan=True) and all(type(v) is float for v in back)
    assert pack(np.array(values)) == packed
    assert pack([1, 2, 3]) == "[1,2,3]" and unpack(pack([1, 2, 3])) == [1, 2, 3]  # ints stay ints (bits tasks)
    assert pack({}, empty_is_null=True) is None and unpack(None, {}) == {}
    program = "def f(x):\n    return x + 1\n" * 200
    assert isinstance(pack(program, compress=True), bytes) and unpack(pack(program, compress=True)) == program
    assert unpack(json.dumps([0.5, 2.0])) == [0.5, 2.0]  # schema-2 rows: JSON text
    with pytest.raises(ValueError):
        unpack(b"\x02" + __import__("zlib").compress(b"0" * (300 * 2**20)))  # a compressed bomb is refused


def test_metrics_of_floats_pack_losslessly_and_a_malformed_pack_is_refused():
    metrics = {"f": 114.0160752148044, "x\u0000y": -0.0, "nan": float("nan")}
    packed = pack(metrics, empty_is_null=True)
    assert isinstance(packed, bytes) and len(packed) < len(json.dumps(metrics))
    back = unpack(packed)
    assert list(back) == list(metrics) and back["f"] == metrics["f"] and math.isnan(back["nan"])
    assert math.copysign(1, back["x\u0000y"]) == -1
    assert pack({"n": 3, "f": 0.5}) == '{"n":3,"f":0.5}'  # not all floats: JSON text, ints stay ints
    for bad in (packed[:-3], b"\x03" + b'["a","b"]\x00' + bytes(8)):
        with pytest.raises(ValueError):
            unpack(bad)


def test_a_20000_evaluation_run_recording_every_candidate_stays_under_4_mb(tmp_path):
    out = tmp_path / "ga.db"
    evoforge.evolve("rastrigin", "ga", budget=20_000, seed=0, executor="inprocess", out=out)
    size = sum(p.stat().st_size for p in tmp_path.glob("ga.db*"))
    assert size < 4_000_000, size  # 4.75 MB with a lineage table, a score index and metrics as JSON text
    store = RunStore.open(out)
    try:
        assert store.count() == 20_000
        last = next(store.candidates(newest_first=True, limit=1))
        assert last.metrics == {"f": -last.score} and len(last.parents) >= 1
    finally:
        store.close()


def test_a_20000_evaluation_vector_run_file_is_small_and_exact(tmp_path):
    out = tmp_path / "me.db"
    evoforge.evolve("rastrigin", "map-elites", budget=20_000, seed=0, executor="inprocess", out=out)
    size = sum(p.stat().st_size for p in tmp_path.glob("me.db*"))
    assert size < 4 * 2**20, size  # JSON text took 3.0 MB here, and 8 MB when every candidate is recorded
    store = RunStore.open(out)
    try:
        recorded = list(store.candidates())
        assert len(recorded) > 5000 and all(type(x) is float for x in recorded[-1].genome)
        best = store.best()
        task = evoforge.load_task("rastrigin")
        assert task.evaluate(best.genome)["score"] == best.score  # the stored genome is bit-exact
        assert store.meta("schema_version") == 4
    finally:
        store.close()


def test_every_candidate_recorded_run_resumes_exactly_with_packed_genomes(tmp_path):
    from evoforge.run import api
    from evoforge.run.engine import genome_key

    out = tmp_path / "ga.db"
    full = evoforge.evolve("sphere", "ga", budget=640, seed=3, executor="inprocess", out=tmp_path / "full.db")
    evoforge.evolve("sphere", "ga", budget=320, seed=3, executor="inprocess", out=out)
    store = RunStore.open(out, write=True)
    with store.conn:  # as if the run had been stopped at 320 of 640 evaluations
        store.conn.execute("UPDATE meta SET value=? WHERE key='status'", (json.dumps("running"),))
        config = store.config
        config["budget"] = 640
        store.conn.execute("UPDATE meta SET value=? WHERE key='config'", (json.dumps(config),))
    keys = {genome_key(c.genome) for c in store.candidates()}
    assert len(keys) == 320  # the packed genomes give back the keys duplicates are told apart by
    store.close()
    resumed = api.resume(out)
    assert resumed.best.score == full.best.score and resumed.best.genome == full.best.genome


def test_archive_axes_carry_the_task_descriptor_names(tmp_path, write_task):
    out = tmp_path / "arm.db"
    evoforge.evolve("planar-arm", "map-elites", budget=400, executor="inprocess", out=out)
    store = RunStore.open(out)
    try:
        assert store.meta("axes") == ["end effector x", "end effector y"]
    finally:
        store.close()
    assert evoforge_cli("plot", out, "-o", tmp_path / "arm.png").returncode == 0
    from evoforge.core.errors import TaskError

    bad = write_task("SEED = [1.0]\nDESCRIPTOR_NAMES = 'xy'\ndef evaluate(g):\n    return g[0]\n")
    with pytest.raises(TaskError, match="DESCRIPTOR_NAMES must be a list of strings"):
        evoforge.load_task(bad)
