"""`run --overwrite` takes the run file's lock before deleting it: a run another process is writing is
refused in one line, and that run finishes with all its candidates."""

import subprocess
import sys
import time

from evoforge import RunStore

SLOW = """
import time
SEED = [1.0] * 3
def evaluate(genome):
    time.sleep(0.01)
    return {"score": -sum(x * x for x in genome)}
"""


def _rows(path):
    try:
        store = RunStore.open(path)
    except Exception:
        return 0
    try:
        return store.count()
    finally:
        store.close()


def test_overwrite_refuses_a_live_run(write_task, tmp_path, evoforge, one_error_line):
    task = write_task(SLOW)
    db = tmp_path / "live.db"
    args = [
        "run",
        "ga",
        "--task",
        task,
        "--executor",
        "pool",
        "--workers",
        2,
        "--set",
        "population=16",
        "--seed",
        2,
        "--out",
        db,
        "-q",
    ]
    live = subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args), "--budget", "400"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while _rows(db) == 0 and time.time() < deadline and live.poll() is None:
            time.sleep(0.05)
        assert live.poll() is None, "the first run ended before it could be overwritten; make it slower"
        run_id = RunStore.open(db).meta("run_id")
        error = one_error_line(evoforge(*args, "--budget", 16, "--overwrite"))
        assert "in use by another evoforge process" in error and "not overwriting" in error
        assert RunStore.open(db).meta("run_id") == run_id
        assert live.poll() is None, "the first run ended while it was being overwritten; make it slower"
        _out, err = live.communicate(timeout=120)
    finally:
        if live.poll() is None:
            live.kill()
    assert live.returncode == 0, err
    store = RunStore.open(db)
    assert store.meta("status") == "finished" and store.meta("run_id") == run_id
    assert store.count() == 400 and store.last_batch()["evaluations"] == 400
    store.close()
    done = evoforge(*args, "--budget", 16, "--overwrite")  # the run is over: now --overwrite may replace it
    assert done.returncode == 0, done.stderr
    assert _rows(db) == 16
