"""The end of a run: Ctrl-C names the exact resume command, a finished run can be given more budget
(``resume --budget N`` / ``--max-calls N``), and a run file's write-ahead log is folded in and
emptied when the run ends."""

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from evoforge import RunStore, evolve
from evoforge.llm import start_server_in_thread
from evoforge.llm.stub import LatencyStub
from evoforge.run import api

SLOW = """
import time
SEED = [1.0, 1.0]

def evaluate(genome):
    time.sleep(0.05)
    return {"score": -(genome[0] ** 2 + genome[1] ** 2)}
"""

PROGRAM_TASK = """
from evoforge.genomes.programs.task import ProgramTask

TASK = ProgramTask(seed="def solve(x):\\n    return x\\n", description="solve(3) should return 42",
                   score=lambda outputs: -abs(float(outputs[0]) - 42.0), cases=[[3]])
"""


def evoforge(*args, **kw):
    return subprocess.run([sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, **kw)


def rows(path):
    store = RunStore.open(path)
    try:
        return [(c.id, c.genome, c.score) for c in store.candidates()], store.meta("status"), store.last_batch()
    finally:
        store.close()


def test_a_finished_run_gets_more_evaluations_and_continues_from_its_checkpoint(tmp_path):
    short, long = tmp_path / "short.db", tmp_path / "long.db"
    run = ["run", "ga", "-t", "sphere", "-b", 64, "--batch-size", 32, "-e", "inprocess", "-q"]
    assert evoforge(*run, "-o", short).returncode == 0
    refused = evoforge("resume", short)
    assert refused.returncode == 1 and "already finished" in refused.stderr and "--budget N" in refused.stderr
    less = evoforge("resume", short, "--budget", 64)
    assert less.returncode == 2 and "--budget 64 is not more than the run has spent (64)" in less.stderr
    more = evoforge("resume", short, "--budget", 128, "-q")
    assert more.returncode == 0, more.stderr
    assert "evaluations 128" in more.stdout
    assert evoforge(*run[:4], "-b", 128, *run[6:], "-o", long).returncode == 0
    extended, status, last = rows(short)
    assert status == "finished" and last["evaluations"] == 128
    assert extended == rows(long)[0]  # 64 then 64 more is the run of 128 with the same seed
    store = RunStore.open(short)
    try:
        assert store.config["budget"] == 128
    finally:
        store.close()


def test_a_run_stopped_by_max_calls_gets_more_calls(write_task, tmp_path, monkeypatch):
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    stub = LatencyStub(lambda i: f"```python\ndef solve(x):\n    return x * 2 + {i}\n```", latency=0.01)
    out = tmp_path / "calls.db"
    with start_server_in_thread(stub) as server:
        settings = dict(model="openai:stub", base_url=server.url, recipe_params={"tune": False, "near_duplicate": 0})
        first = evolve(write_task(PROGRAM_TASK), "evolve", budget=10_000, out=out, max_calls=3, **settings)
        assert "max_calls=3" in first.stop_reason
        again = api.resume(out, max_calls=6)
    assert "max_calls=6" in again.stop_reason and stub.usage.calls == 6
    _, status, last = rows(out)
    assert status == "finished" and last["usage"]["total"]["calls"] == 6


def test_a_finished_run_folds_its_log_in(tmp_path):
    db = tmp_path / "one.db"
    assert evoforge("run", "ga", "-t", "sphere", "-b", 64, "-o", db, "-q").returncode == 0
    wal = tmp_path / "one.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # every page is in the run file itself
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # no rollback journal to be left hot
    finally:
        conn.close()
    assert evoforge("resume", db, "--budget", 96, "-q").returncode == 0
    assert not wal.exists() or wal.stat().st_size == 0


def test_ctrl_c_prints_the_exact_resume_command(write_task, tmp_path):
    db = tmp_path / "my run.db"
    args = ["run", "ga", "-t", write_task(SLOW), "-b", 100_000, "--batch-size", 4, "-o", db, "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args)],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not what this test process inherited
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.exists() and rows(db)[2]):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"Ctrl-C did not stop the run within 60 s; its stderr:\n{err[-3000:]}")
    assert proc.returncode == 130, err
    assert f"continue with: evoforge resume '{db}'" in err
    assert evoforge("resume", db, "--budget", rows(db)[2]["evaluations"] + 8, "-q").returncode == 0
