"""Runs survive kill -9: killed at random points and resumed, a run ends exactly where an
uninterrupted run with the same seed ends, with no candidate lost or duplicated."""

import os
import random
import signal
import subprocess
import sys
import time

from evoforge import RunStore

SLOW_SPHERE = """
import time
SEED = [2.0] * 5
def evaluate(genome):
    time.sleep(0.01)
    return {"score": -sum(x * x for x in genome)}
"""


def start(args):
    return subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def committed_rows(path):
    if not path.exists():
        return 0
    try:
        return len(rows(path))
    except Exception:  # the file is being created
        return 0


def rows(path):
    store = RunStore.open(path)
    try:
        assert store.integrity() == "ok"
        return [(c.id, c.score, c.status, c.genome) for c in store.candidates()]
    finally:
        store.close()


def test_sigkill_at_random_points_then_resume(write_task, tmp_path):
    task = write_task(SLOW_SPHERE)
    common = ["--task", task, "--budget", 600, "--seed", 11, "--executor", "pool", "--batch-size", 20]
    reference = tmp_path / "reference.db"
    proc = start(["run", "regularized-evolution", *common, "--out", reference])
    assert proc.wait(timeout=120) == 0, proc.stderr.read()

    killed = tmp_path / "killed.db"
    rand = random.Random(1234)
    kills, committed = 0, 0
    proc = start(["run", "regularized-evolution", *common, "--out", killed])
    while kills < 5:
        # wait for progress past the last kill, then strike at a random moment
        deadline = time.time() + 60
        while proc.poll() is None and time.time() < deadline and committed_rows(killed) <= committed:
            time.sleep(0.05)
        time.sleep(rand.uniform(0.0, 0.4))
        if proc.poll() is not None:  # it finished before we struck: nothing left to kill
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        so_far = rows(killed)
        assert so_far == rows(reference)[: len(so_far)]  # a clean prefix of the uninterrupted run
        committed = len(so_far)
        proc = start(["resume", killed])
    assert kills >= 5, "the run ended before it could be killed five times; make it slower"
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)
    ids = [r[0] for r in rows(killed)]
    assert ids == list(range(600))
    store = RunStore.open(killed)
    assert len(store.events("resumed")) == 5
    assert store.best().score == RunStore.open(reference).best().score
