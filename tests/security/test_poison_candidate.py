"""A candidate whose evaluation kills the evoforge process (a pool worker killing its parent) is
isolated on resume and, when it kills the process each time it is evaluated alone (ISOLATED_DEATHS
times), failed: the run finishes instead of dying on every resume."""

import json
import signal

from evoforge import RunStore
from evoforge.run.engine import POISON
from evoforge.store.run_file import ISOLATED_DEATHS

TASK = """
import json, os
SEED = [1.0] * 4
POISON = json.load(open({poison!r})) if os.path.exists({poison!r}) else None
def evaluate(genome):
    if POISON is not None and [float(x) for x in genome] == POISON:
        os.kill(os.getppid(), 9)  # the pool worker's parent: the evoforge process
    return {{"score": -sum(x * x for x in genome)}}
"""


def test_poison_candidate_is_isolated_and_failed(write_task, tmp_path, evoforge):
    poison = tmp_path / "poison.json"
    task = write_task(TASK.format(poison=str(poison)))
    common = [
        "--task",
        task,
        "--budget",
        64,
        "--seed",
        5,
        "--executor",
        "pool",
        "--workers",
        2,
        "--set",
        "population=16",
        "-q",
    ]
    clean = tmp_path / "clean.db"
    assert evoforge("run", "ga", *common, "--out", clean).returncode == 0
    store = RunStore.open(clean)
    reference = [(c.id, c.genome, c.status) for c in store.candidates()]
    store.close()
    victim = next(c for c in reference if c[0] == 21)  # in the second batch, after a commit
    poison.write_text(json.dumps(victim[1]))

    db = tmp_path / "poisoned.db"
    first = evoforge("run", "ga", *common, "--out", db)
    assert first.returncode == -signal.SIGKILL, first.stderr
    codes = []
    for _ in range(ISOLATED_DEATHS + 2):
        proc = evoforge("resume", db, "-q")
        codes.append(proc.returncode)
        if proc.returncode == 0:
            break
    assert codes == [-signal.SIGKILL] * ISOLATED_DEATHS + [0], codes  # dies each time it is evaluated alone

    store = RunStore.open(db)
    try:
        assert store.meta("status") == "finished"
        assert store.last_batch()["evaluations"] == 64
        got = {c.id: c for c in store.candidates()}
        assert got[21].genome == victim[1] and got[21].status == "failed" and got[21].reason == POISON
        assert [f for f in got.values() if f.status == "failed"] == [got[21]]
        # everything before the poison candidate is the uninterrupted run's
        assert [(c.id, c.genome, c.status) for c in got.values() if c.id < 21] == reference[:21]
    finally:
        store.close()
    assert "killed the evoforge process" in evoforge("show", db).stdout
