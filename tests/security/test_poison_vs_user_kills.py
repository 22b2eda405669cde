"""A user's kill -9 that lands while a suspect (a candidate in flight when the run died before) is being
evaluated alone does not fail that candidate as poison: one death during an isolated evaluation proves
nothing, since a kill from outside looks the same as the candidate killing the process. Killed during
a batch, then once or twice more during isolated evaluations, and resumed, every run ends exactly as
the uninterrupted run with the same seed."""

import random
import sqlite3
import time

from forked_runs import Forker, ended

from evoforge import RunStore
from evoforge.store.run_file import ISOLATED_DEATHS

SLOW_SPHERE = """
import time
SEED = [2.0] * 4
def evaluate(genome):
    time.sleep(0.03)
    return {"score": -sum(x * x for x in genome)}
"""


def query(path, sql):
    """One value from the run file, read-only; None while it cannot be read (being created, locked)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05)
        try:
            row = conn.execute(sql).fetchone()
            return row[0] if row else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def wait_for(run, path, sql, limit=30.0):
    """Poll until ``sql`` gives a true value; False when the run ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if query(path, sql):
            return True
        if ended(run):
            return False
        time.sleep(0.002)
    raise AssertionError(f"timed out waiting for {sql}")


def rows(path):
    store = RunStore.open(path)
    try:
        return [(c.id, c.genome, c.status, c.reason, c.score) for c in store.candidates()]
    finally:
        store.close()


IN_BATCH = "SELECT count(*) FROM inflight WHERE strikes = 0 AND batch > (SELECT coalesce(max(batch), -1) FROM batches)"
ALONE = "SELECT count(*) FROM inflight WHERE alone = 1"


def test_user_kills_during_isolated_evaluations_fail_nothing(write_task, tmp_path):
    task = write_task(SLOW_SPHERE)
    common = ["--task", task, "--budget", 32, "--seed", 3, "--executor", "pool", "--workers", 2]
    common += ["--batch-size", 8, "--checkpoint-every", 0, "-q"]
    rand = random.Random(99)
    diverged: dict[int, str] = {}
    landed = 0  # kills that struck during an isolated evaluation (still marked alone in the file)
    with Forker() as forker:
        reference = tmp_path / "reference.db"
        assert forker.run("run", "ga", *common, "--out", reference) == 0
        expected = rows(reference)
        for trial in range(20):
            db = tmp_path / f"killed-{trial}.db"
            run = forker.start("run", "ga", *common, "--out", db)
            # 1: a kill during a batch's evaluation (after the first commit): its candidates become suspects
            wait_for(run, db, "SELECT count(*) FROM batches")
            assert wait_for(run, db, IN_BATCH)
            time.sleep(rand.uniform(0.0, 0.05))
            forker.kill(run)
            assert forker.survivors() == []  # no worker outlives the run (it would hold the run's lock)
            # 2 (and 3 in every other trial): kills while a suspect is being evaluated alone
            for _ in range(1 + trial % 2):
                run = forker.start("resume", db, "-q")
                if wait_for(run, db, ALONE):
                    time.sleep(rand.uniform(0.0, 0.02))
                forker.kill(run)
                landed += bool(query(db, ALONE))
                assert forker.survivors() == []
            log = tmp_path / f"resume-{trial}.log"
            code = forker.run("resume", db, "-q", log=log)
            got = rows(db)
            if code != 0:
                diverged[trial] = f"resume exited {code}: {log.read_text()[-500:]}"
            elif got != expected:
                failed = [r for r in got if r[2] == "failed"]
                diverged[trial] = f"{len(got)} rows, failed: {failed[:2]}"
    assert diverged == {}, f"runs that ended differently from the uninterrupted one: {diverged}"
    assert landed >= 25, f"only {landed} of 30 kills struck an isolated evaluation"


def test_poison_strikes_leave_room_for_user_kills():
    assert ISOLATED_DEATHS >= 3  # a user's two kills during isolated evaluations never fail a candidate
