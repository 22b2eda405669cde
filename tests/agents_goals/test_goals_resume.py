"""autotelic through the CLI: a run killed with SIGKILL resumes with its goals; `evoforge show` prints them."""

import os
import signal
import subprocess
import sys
import time

import pytest
from goal_helpers import ScriptedGoalModel


@pytest.fixture
def server():
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(ScriptedGoalModel("scripted")) as handle:
        yield handle


def test_autotelic_killed_run_resumes(server, tmp_path, evoforge_cli, stored_rows):
    def cli(*args):
        return evoforge_cli(*args, server=server, task_model=True)

    def rows(path, being_written=False):
        return stored_rows(path, "id", "status", "genome", "info", being_written=being_written)

    common = ["--task", "agent-apps", "--set", "task.tasks=4", "--seed", 3, "--budget", 6, "--checkpoint-every", 0]
    reference = tmp_path / "reference.db"
    proc = cli("run", "autotelic", *common, "--out", reference)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    killed = tmp_path / "killed.db"
    proc = cli("run", "autotelic", *common, "--out", killed)
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline and len(rows(killed, True)) < 2:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        so_far = rows(killed)
        assert so_far == rows(reference)[: len(so_far)]
        proc = cli("resume", killed)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert rows(killed) == rows(reference)
    shown = subprocess.run([sys.executable, "-m", "evoforge", "show", str(killed)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "autotelic:" in shown.stdout and "* Create a note titled" in shown.stdout
    assert "goals mastered" in shown.stdout  # the answer line
