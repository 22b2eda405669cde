"""autotelic through the CLI: a run killed with SIGKILL resumes with its goals; `evoforge show` prints them."""

import os
import signal
import subprocess
import sys
import time

import pytest
from goal_helpers import ScriptedGoalModel

from evoforge import RunStore


@pytest.fixture
def server():
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(ScriptedGoalModel("scripted")) as handle:
        yield handle


def cli(server, tmp_path, *args):
    env = {**os.environ, "EVOFORGE_CACHE_DIR": str(tmp_path / "cache")}
    url = ["--model", "openai:scripted", "--base-url", server.url, "--task-model", "openai:scripted"]
    url += ["--task-base-url", server.url]
    return subprocess.Popen(
        [sys.executable, "-m", "evoforge", *map(str, args), *(url if args[0] == "run" else []), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def rows(path):
    try:
        store = RunStore.open(path)
    except Exception:  # being created
        return []
    try:
        return [(c.id, c.status, c.genome, c.info) for c in store.candidates()]
    finally:
        store.close()


def test_autotelic_killed_run_resumes(server, tmp_path):
    common = ["--task", "agent-apps", "--set", "task.tasks=4", "--seed", 3, "--budget", 6, "--checkpoint-every", 0]
    reference = tmp_path / "reference.db"
    proc = cli(server, tmp_path, "run", "autotelic", *common, "--out", reference)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    killed = tmp_path / "killed.db"
    proc = cli(server, tmp_path, "run", "autotelic", *common, "--out", killed)
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline and len(rows(killed)) < 2:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        so_far = rows(killed)
        assert so_far == rows(reference)[: len(so_far)]
        proc = cli(server, tmp_path, "resume", killed)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)
    shown = subprocess.run([sys.executable, "-m", "evoforge", "show", str(killed)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "autotelic:" in shown.stdout and "* Create a note titled" in shown.stdout
    assert "goals mastered" in shown.stdout  # the answer line
