"""Pool workers die with the run process however it dies, also when it is killed with SIGKILL right
after it forked a worker (a replacement for a crashed one), before that worker could ask for a
parent-death signal: the worker checks its parent after asking, and exits if it is gone already."""

import random
import time

from forked_runs import Forker, children, ended

# Every other evaluation crashes its worker, so the pool keeps forking replacements.
CRASHY = """
import os, time
SEED = [1.0, 1.0]
def evaluate(genome):
    time.sleep(0.002)
    if int(abs(genome[0]) * 1000) % 2:
        os._exit(3)
    return {"score": -sum(x * x for x in genome)}
"""

WORKERS = 3


def kill_after_a_fork(run: int, skip: int) -> None:
    """Wait until the pool is up and ``skip`` replacements went by, then SIGKILL the run at once when it
    forks the next one."""
    deadline = time.monotonic() + 30
    seen: set[int] = set()
    while time.monotonic() < deadline and not ended(run) and len(seen) < WORKERS:
        seen = children(run)
    while time.monotonic() < deadline and not ended(run):
        now = children(run)
        if now - seen:
            if skip == 0:
                return
            skip -= 1
        seen |= now


def test_workers_die_with_a_killed_run(write_task, tmp_path):
    task = write_task(CRASHY)
    rand = random.Random(7)
    survivors: dict[int, list[int]] = {}
    with Forker() as forker:
        for trial in range(20):
            run = forker.start(
                "run", "ga", "--task", task, "--budget", 100_000, "--seed", trial, "--executor", "pool",
                "--workers", WORKERS, "--timeout", 5, "--out", tmp_path / f"run-{trial}.db", "-q",
            )  # fmt: skip
            try:
                kill_after_a_fork(run, rand.randint(0, 3))
            finally:
                forker.kill(run)
            left = forker.survivors()
            if left:
                survivors[trial] = left
    assert survivors == {}, f"pool workers outlived their run (trial: pids): {survivors}"
