"""Task evaluators that leave processes behind: every executor kills what an evaluation started,
forked, setsid'd and double-forked children included; --sandbox keeps evaluators off the host."""

import os
import random
import time

import pytest

from evoforge import Candidate, load_task
from evoforge.isolation import bwrap
from evoforge.run.executors import InProcessExecutor
from evoforge.run.pool import ProcessPoolExecutor

LEAVER = """
import os, sys, time
SEED = "ok"
MARK = {mark!r}          # the leftover processes run `sleep MARK`, so the test can find them in /proc
PIDS = {pids!r}

def sleeper():
    os.execv("/bin/sleep", ["sleep", MARK])

def record(pid):
    try:
        with open(PIDS, "a") as fh:
            fh.write(f"{{pid}}\\n")
    except OSError:
        pass  # read-only inside the sandbox

def evaluate(genome):
    if genome in ("fork", "fork-crash"):
        pid = os.fork()
        if pid == 0:
            sleeper()
        record(pid)
    if genome in ("setsid", "setsid-crash", "setsid-hang"):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            grandchild = os.fork()
            if grandchild == 0:
                sleeper()
            os.write(write, f"{{grandchild}}".encode())
            os._exit(0)
        os.waitpid(pid, 0)
        record(int(os.read(read, 64)))
    if genome.endswith("-crash"):
        os._exit(7)
    if genome.endswith("-hang"):
        time.sleep(600)
    return {{"score": 1.0}}
"""


@pytest.fixture
def leaver(write_task, tmp_path):
    mark = f"{random.randint(10_000, 99_999)}.{random.randint(1, 999_999)}"
    pids = tmp_path / "pids.txt"
    task = load_task(write_task(LEAVER.format(mark=mark, pids=str(pids))))
    return task, mark, pids


def marked(mark: str) -> list[int]:
    """Live processes running `sleep MARK` anywhere on the machine."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as fh:
                    if mark.encode() in fh.read():
                        found.append(int(name))
            except OSError:
                pass
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def run(executor, genomes):
    return executor.evaluate([Candidate(genome=g, id=i) for i, g in enumerate(genomes)])


def sandbox_modes():
    modes = [False]
    bwrap.probe.cache_clear()
    modes.append(pytest.param(True, marks=pytest.mark.skipif(not bwrap.probe().available, reason="bwrap unavailable")))
    return modes


@pytest.mark.parametrize("sandbox", sandbox_modes())
def test_pool_kills_children_an_evaluation_leaves(leaver, sandbox):
    task, mark, pids = leaver
    pool = ProcessPoolExecutor(task, workers=2, timeout=20, memory_mb=512, sandbox=sandbox)
    try:
        out = run(pool, ["fork", "setsid", "fork", "setsid"])
        assert all(c.ok for c in out), [c.reason for c in out]
        assert marked(mark) == []
        if not sandbox:
            recorded = [int(p) for p in pids.read_text().split()]
            assert len(recorded) == 4 and not any(alive(p) for p in recorded)
    finally:
        pool.close()


@pytest.mark.parametrize("sandbox", sandbox_modes())
def test_pool_kills_what_a_crashed_or_hung_worker_left(leaver, sandbox):
    task, mark, _pids = leaver
    pool = ProcessPoolExecutor(task, workers=1, timeout=2, memory_mb=512, sandbox=sandbox)
    try:
        out = run(pool, ["setsid-crash", "setsid-hang", "fork-crash"])
        assert "exited with code 7" in out[0].reason and "timed out" in out[1].reason, [c.reason for c in out]
        time.sleep(0.2)
        assert marked(mark) == []
        assert run(pool, ["ok"])[0].ok
    finally:
        pool.close()


def test_inprocess_kills_children_after_each_evaluation(leaver):
    task, mark, pids = leaver
    out = run(InProcessExecutor(task, timeout=20), ["fork", "setsid"])
    assert all(c.ok for c in out)
    assert marked(mark) == []
    recorded = [int(p) for p in pids.read_text().split()]
    assert len(recorded) == 2 and not any(alive(p) for p in recorded)


SNOOP = """
import os, socket
SEED = "ok"
def evaluate(genome):
    seen = {}
    try:
        seen["secret"] = open(%r).read()
    except OSError as err:
        seen["secret"] = type(err).__name__
    environ = b""
    for name in os.listdir("/proc"):
        try:
            environ += open(f"/proc/{name}/environ", "rb").read()
        except OSError:
            pass
    seen["env"] = b"sekret" in environ or "sekret" in str(os.environ)
    try:
        socket.create_connection(("127.0.0.1", %d), timeout=2)
        seen["net"] = "connected"
    except OSError as err:
        seen["net"] = type(err).__name__
    seen["uid"] = os.getuid()
    return {"score": 1.0, "metrics": seen}
"""


@pytest.mark.skipif(not bwrap.probe().available, reason="bwrap unavailable")
def test_sandboxed_evaluator_sees_no_host_secrets(write_task, tmp_path_factory, monkeypatch):
    import socket

    secret = tmp_path_factory.mktemp("private") / "secret.txt"  # not in the task file's directory
    secret.write_text("topsecret")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    monkeypatch.setenv("EVOFORGE_API_KEY", "sekret")
    task = load_task(write_task(SNOOP % (str(secret), server.getsockname()[1])))
    pool = ProcessPoolExecutor(task, workers=1, timeout=20, memory_mb=512, sandbox=True)
    try:
        (cand,) = run(pool, ["ok"])
    finally:
        pool.close()
        server.close()
    assert cand.ok, cand.reason
    assert cand.metrics == {"secret": "FileNotFoundError", "env": False, "net": "ConnectionRefusedError", "uid": 65534}
