"""Many model requests in flight: the bound on requests in flight, exact --max-calls, the synchronous
loop's reproducibility with concurrent requests, and the asynchronous loop surviving kill -9.

The model is a fixed-latency stub served over the OpenAI API on 127.0.0.1 (it times orchestration; no
quality is measured here); the stub counts the requests it has in flight."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from evoforge import RunStore, evolve
from evoforge.core.errors import ConfigError
from evoforge.llm import start_server_in_thread
from evoforge.llm.stub import LatencyStub

TASK = """
import time
from evoforge.genomes.programs.task import ProgramTask

TASK = ProgramTask(seed="def solve(x):\\n    return x\\n", description="solve(3) should return 42",
                   score=lambda outputs: -abs(float(outputs[0]) - 42.0), cases=[[3]])

def evaluate(genome):
    time.sleep(0.05)
    return TASK.evaluate(genome)
"""


def program(i: int) -> str:
    return f"```python\ndef solve(x):\n    return x * {1 + i % 5} + {i}\n```"


@pytest.fixture
def stub_server(monkeypatch, tmp_path):
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))  # no answers from earlier runs
    stub = LatencyStub(program, latency=0.3)
    with start_server_in_thread(stub) as server:
        yield stub, server.url


def run(task, url, out, **settings):
    params = {"calls_per_batch": 1, "tune": False, "near_duplicate": 0, **settings.pop("params", {})}
    return evolve(
        task, "evolve", budget=10_000, seed=3, out=out, model="openai:stub", base_url=url, workers=2,
        recipe_params=params, **settings,
    )  # fmt: skip


def usage_answers(path) -> int:
    store = RunStore.open(path)
    try:
        return int(store.last_batch()["usage"]["total"]["calls"])
    finally:
        store.close()


def test_async_keeps_the_bound_on_requests_in_flight_and_exact_max_calls(write_task, stub_server, tmp_path):
    stub, url = stub_server
    task = write_task(TASK)
    result = run(task, url, tmp_path / "a.db", asynchronous=True, concurrency=3, batch_size=1, max_calls=13)
    assert stub.peak_in_flight == 3  # the bound was reached and never passed
    assert stub.usage.calls == 13  # the stub answered exactly --max-calls requests ...
    assert usage_answers(tmp_path / "a.db") == 13  # ... and the run file counts every one
    assert "max_calls=13" in result.stop_reason
    store = RunStore.open(tmp_path / "a.db")
    try:
        models = [c for c in store.candidates() if c.operator != "seed"]
        assert len(models) == 13  # every paid answer became a told child
    finally:
        store.close()


def test_async_records_answers_that_gave_no_child(write_task, monkeypatch, tmp_path):
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    # the last two answers (in flight together, after every child was told) give no program
    stub = LatencyStub(lambda i: program(i) if i < 7 else "I would rather not write code.", latency=0.3)
    with start_server_in_thread(stub) as server:
        result = run(write_task(TASK), server.url, tmp_path / "u.db", asynchronous=True, concurrency=2, max_calls=9)
    assert stub.usage.calls == 9 and usage_answers(tmp_path / "u.db") == 9  # unusable answers count too
    assert result.stop_reason.startswith("max_calls=9 reached (9 calls")


def test_sync_sends_a_batch_concurrently_and_stays_reproducible(write_task, stub_server, tmp_path):
    stub, url = stub_server
    task = write_task(TASK)
    settings = dict(concurrency=4, batch_size=4, max_calls=8, params={"calls_per_batch": 4})
    run(task, url, tmp_path / "s1.db", **settings)
    assert stub.peak_in_flight == 4  # a batch's four requests were in flight together
    run(task, url, tmp_path / "s2.db", **settings)

    def genomes(path):
        store = RunStore.open(path)
        try:
            return [(c.id, c.genome, c.score) for c in store.candidates()]
        finally:
            store.close()

    assert genomes(tmp_path / "s1.db") == genomes(tmp_path / "s2.db")


def test_async_is_refused_where_it_cannot_run(write_task, tmp_path):
    task = write_task(TASK)
    with pytest.raises(ConfigError, match="--async needs the pool executor"):
        evolve(task, "evolve", executor="inprocess", asynchronous=True, out=tmp_path / "x.db")
    with pytest.raises(ConfigError, match="--async is for recipes that call a model"):
        evolve("sphere", "ga", asynchronous=True, out=tmp_path / "y.db")
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "y.db").exists()


def test_async_flag_refused_by_the_cli_in_one_line(tmp_path):
    out = tmp_path / "x.db"
    done = subprocess.run(
        [sys.executable, "-m", "evoforge", "run", "ga", "--task", "sphere", "--async", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--async is for recipes that call a model" in done.stderr
    assert "Traceback" not in done.stderr and "evolving" not in done.stdout and not out.exists()


def _cli(args, env):
    return subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_async_survives_kill_9_with_nothing_lost_and_exact_max_calls(write_task, stub_server, tmp_path):
    _, url = stub_server
    task = write_task(TASK)
    out = tmp_path / "killed.db"
    env = {**os.environ, "EVOFORGE_CACHE_DIR": str(tmp_path / "cache")}
    args = ["run", "evolve", "--task", task, "--model", "openai:stub", "--base-url", url, "--async"]
    args += ["--concurrency", 4, "--batch-size", 1, "--max-calls", 40, "--budget", 10_000, "--out", out]
    args += ["--set", "tune=false", "--set", "near_duplicate=0"]
    rand, kills = random.Random(7), 0
    proc = _cli(args, env)
    while kills < 3:
        deadline = time.time() + 60
        while not out.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)  # on a loaded machine start-up can take longer than the pause below
        time.sleep(rand.uniform(0.8, 1.6))
        if proc.poll() is not None:
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        proc = _cli(["resume", out], env)
    assert proc.wait(timeout=180) == 0, proc.stderr.read()
    assert kills >= 2

    store = RunStore.open(out)
    try:
        assert store.meta("status") == "finished"
        assert "max_calls=40" in store.meta("stop_reason")
        cands = list(store.candidates())
        ids = sorted(c.id for c in cands)
        assert ids == list(range(len(ids)))  # every proposed child was told exactly once: no gap, no repeat
        assert all(c.status in ("ok", "failed", "rejected") for c in cands)
        total = store.last_batch()["usage"]["total"]
        # max_calls limits answers: an answer that arrived just before a kill is in the response cache, so
        # the resumed run gets it from there (a cache hit, not a second call); together exact, across deaths
        assert int(total["calls"]) + int(total.get("cache_hits", 0)) == 40
        assert (
            len([c for c in cands if c.operator != "seed"]) >= 40 - 4 * kills
        )  # at most the requests in flight lost per kill
    finally:
        store.close()
