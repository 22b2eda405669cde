"""Multi-agent runs killed with SIGKILL resume to the same record, and ``evoforge show`` prints them."""

import os
import signal
import subprocess
import sys
import time

import pytest
from social_helpers import Society

from evoforge import RunStore


@pytest.fixture(scope="module")
def server():
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(Society()) as handle:
        yield handle


def cli(server, tmp_path, *args):
    env = {**os.environ, "EVOFORGE_CACHE_DIR": str(tmp_path / "cache")}
    url = ["--model", "openai:scripted", "--base-url", server.url] if args[0] == "run" else []
    return subprocess.Popen([sys.executable, "-m", "evoforge", *map(str, args), *url, "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip


def rows(path):
    try:
        store = RunStore.open(path)
    except Exception:  # being created
        return []
    try:
        return [(c.id, c.score, c.status, c.genome) for c in store.candidates()]
    finally:
        store.close()


@pytest.mark.parametrize(("recipe", "task", "shown"), [
    ("evolutionary-agent", "norms", "the fittest agent's traits"),
    ("language-games", "language", "notes of player 1"),
])  # fmt: skip
def test_killed_run_resumes_to_the_same_record(server, tmp_path, recipe, task, shown):
    common = ["--task", task, "--budget", 6, "--seed", 2, "--checkpoint-every", 0]
    reference = tmp_path / "reference.db"
    assert cli(server, tmp_path, "run", recipe, *common, "--out", reference).wait(timeout=120) == 0
    killed = tmp_path / "killed.db"
    proc = cli(server, tmp_path, "run", recipe, *common, "--out", killed)
    deadline = time.time() + 60
    while proc.poll() is None and len(rows(killed)) < 3 and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    so_far = rows(killed)
    assert 0 < len(so_far) < len(rows(reference)) and so_far == rows(reference)[: len(so_far)]
    proc = cli(server, tmp_path, "resume", killed)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)
    out = subprocess.run([sys.executable, "-m", "evoforge", "show", str(killed)], capture_output=True, text=True)
    assert out.returncode == 0 and recipe in out.stdout and shown in out.stdout, out.stdout + out.stderr
