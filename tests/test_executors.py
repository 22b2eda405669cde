"""Executors: the pool kills hung and greedy evaluations, survives crashes, and agrees with the others."""

import time

import pytest

from evoforge import Candidate, RunStore, evolve, load_task
from evoforge.run.executors import InProcessExecutor, ProcessPoolExecutor

HOSTILE = """
import ctypes, os, subprocess, sys, time
SEED = "ok"
def evaluate(genome):
    if genome == "hang":
        while True:
            pass
    if genome == "sleep-child":
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        time.sleep(600)
    if genome == "memory":
        block = bytearray(20 * 1024 ** 3)
        return {"score": len(block)}
    if genome == "segfault":
        ctypes.string_at(0)
    if genome == "exit":
        os._exit(3)
    if genome == "sysexit":
        sys.exit(2)
    if genome == "print":
        sys.stdout.write("x" * 50_000_000)
        return {"score": 2.0}
    return {"score": 1.0}
"""


def run_batch(executor, genomes):
    cands = [Candidate(genome=g, id=i) for i, g in enumerate(genomes)]
    return executor.evaluate(cands)


def test_pool_kills_hangs_and_survives_hostile_evaluators(write_task):
    task = load_task(write_task(HOSTILE))
    pool = ProcessPoolExecutor(task, workers=2, timeout=1.5, memory_mb=512)
    try:
        start = time.perf_counter()
        genomes = ["hang", "ok", "memory", "segfault", "exit", "sysexit", "print", "sleep-child", "ok"]
        out = run_batch(pool, genomes)
        elapsed = time.perf_counter() - start
        by = {c.genome: c for c in out}
        assert "timed out" in by["hang"].reason
        assert "timed out" in by["sleep-child"].reason
        assert "memory" in by["memory"].reason.lower()
        assert "SIGSEGV" in by["segfault"].reason
        assert "exited with code 3" in by["exit"].reason
        assert "exit(2)" in by["sysexit"].reason
        assert by["print"].ok and by["print"].score == 2.0
        assert [c.ok for c in out].count(True) == 3
        assert elapsed < 30, elapsed  # two timeouts of 1.5 s on two workers, not 600 s (room for a busy machine)
        # the pool is still healthy afterwards
        assert all(c.ok for c in run_batch(pool, ["ok"] * 6))
    finally:
        pool.close()


def test_pool_timeout_kills_the_process_group(write_task, tmp_path):
    marker = tmp_path / "alive"
    task = load_task(
        write_task(f"""
        import subprocess, sys, time
        SEED = 0
        def evaluate(genome):
            subprocess.Popen([sys.executable, "-c",
                "import time, pathlib; time.sleep(3); pathlib.Path({str(marker)!r}).write_text('x')"])
            time.sleep(60)
    """)
    )
    pool = ProcessPoolExecutor(task, workers=1, timeout=0.5)
    try:
        assert "timed out" in run_batch(pool, [0])[0].reason
    finally:
        pool.close()
    time.sleep(3.5)
    assert not marker.exists(), "a grandchild of the evaluator outlived the timeout"


def test_inprocess_timeout_and_memory_limit(write_task):
    task = load_task(write_task(HOSTILE))
    out = run_batch(InProcessExecutor(task, timeout=0.3, memory_mb=512), ["hang", "memory", "ok"])
    assert "timed out" in out[0].reason
    assert "memory" in out[1].reason.lower()
    assert out[2].ok
    big = bytearray(1024**3)  # the limit is lifted after the batch
    assert len(big) == 1024**3


def test_pool_gives_the_same_run_as_inprocess(tmp_path):
    a = evolve("rastrigin", "regularized-evolution", budget=300, seed=5, executor="inprocess", out=tmp_path / "a.db")
    b = evolve("rastrigin", "regularized-evolution", budget=300, seed=5, executor="pool", out=tmp_path / "b.db")
    assert a.best.score == b.best.score
    sa, sb = RunStore.open(tmp_path / "a.db"), RunStore.open(tmp_path / "b.db")
    assert [c.score for c in sa.candidates()] == [c.score for c in sb.candidates()]


def test_ray_gives_the_same_run_as_pool(tmp_path):
    ray = pytest.importorskip("ray")
    try:
        a = evolve("sphere", "ga", budget=96, seed=2, executor="pool", out=tmp_path / "a.db")
        b = evolve("sphere", "ga", budget=96, seed=2, executor="ray", out=tmp_path / "b.db")
        sa, sb = RunStore.open(tmp_path / "a.db"), RunStore.open(tmp_path / "b.db")
        assert [(c.id, c.score) for c in sa.candidates()] == [(c.id, c.score) for c in sb.candidates()]
        assert a.best.score == b.best.score
    finally:
        ray.shutdown()


def test_ray_backstop_kills_an_evaluator_that_ignores_the_alarm(write_task, monkeypatch):
    ray = pytest.importorskip("ray")
    from evoforge.run import executors
    from evoforge.run.executors import RayExecutor

    monkeypatch.setattr(executors, "RAY_GRACE", 2.0)
    src = (
        "import signal, time\nSEED = 0\ndef evaluate(g):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "    time.sleep(600)\n"
    )
    task = load_task(write_task(src))
    try:
        ex = RayExecutor(task, workers=1, timeout=1.0)
        start = time.perf_counter()
        out = run_batch(ex, [1])
        assert "worker killed" in out[0].reason
        assert time.perf_counter() - start < 30
    finally:
        ray.shutdown()


def test_ray_timeout_kills_the_task(write_task):
    ray = pytest.importorskip("ray")
    from evoforge.run.executors import RayExecutor

    task = load_task(
        write_task(
            "import time\nSEED = 0\ndef evaluate(g):\n    if g:\n        time.sleep(600)\n    return {'score': 1}\n"
        )
    )
    try:
        ex = RayExecutor(task, workers=2, timeout=2.0)
        start = time.perf_counter()
        out = run_batch(ex, [1, 0, 0])
        assert "timed out" in out[0].reason and out[1].ok and out[2].ok
        assert time.perf_counter() - start < 30
    finally:
        ray.shutdown()
