"""Multi-agent runs killed with SIGKILL resume to the same record, and ``evoforge show`` prints them."""

import os
import signal
import subprocess
import sys
import time

import pytest
from social_helpers import Society


@pytest.fixture(scope="module")
def server():
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(Society()) as handle:
        yield handle


@pytest.mark.parametrize(("recipe", "task", "shown"), [
    ("evolutionary-agent", "norms", "the fittest agent's traits"),
    ("language-games", "language", "notes of player 1"),
])  # fmt: skip
def test_killed_run_resumes_to_the_same_record(server, tmp_path, recipe, task, shown, evoforge_cli, stored_rows):
    def cli(*args):
        return evoforge_cli(*args, server=server)

    def rows(path, being_written=False):
        return stored_rows(path, "id", "score", "status", "genome", being_written=being_written)

    common = ["--task", task, "--budget", 6, "--seed", 2, "--checkpoint-every", 0]
    reference = tmp_path / "reference.db"
    assert cli("run", recipe, *common, "--out", reference).wait(timeout=120) == 0
    killed = tmp_path / "killed.db"
    proc = cli("run", recipe, *common, "--out", killed)
    deadline = time.time() + 60
    while proc.poll() is None and len(rows(killed, True)) < 3 and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    so_far = rows(killed)
    assert 0 < len(so_far) < len(rows(reference)) and so_far == rows(reference)[: len(so_far)]
    proc = cli("resume", killed)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)
    out = subprocess.run([sys.executable, "-m", "evoforge", "show", str(killed)], capture_output=True, text=True)
    assert out.returncode == 0 and recipe in out.stdout and shown in out.stdout, out.stdout + out.stderr
