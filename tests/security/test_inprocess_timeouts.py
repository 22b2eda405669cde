"""In-process timeouts that evaluators cannot dodge: the alarm keeps firing until the evaluation
returns, so one swallowed where Python ignores exceptions (an at-fork hook) or by a bare ``except:``
in a loop still times the candidate out and the run goes on; an evaluation that cannot be stopped
in-process ends the run (one line, exit 1) instead of hanging it."""

import time

import pytest

from evoforge import RunStore

# The third evaluation hangs in a way given by HANG; the others score. In-process, module state
# persists, so the counter picks exactly one candidate.
TASK = """
import os, time
SEED = [1.0, 1.0]
COUNT = [0]
HANG = {hang!r}

def evaluate(genome):
    COUNT[0] += 1
    if COUNT[0] == 3:
        hang()
    return {{"score": -sum(x * x for x in genome)}}

def hang():
    if HANG == "fork-200":  # the one-shot alarm used to fire inside logging's at-fork hook, and vanish
        import logging
        for _ in range(200):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        time.sleep(600)
    elif HANG == "at-fork-hook":  # the same, deterministically: the alarm fires inside an at-fork hook
        os.register_at_fork(after_in_parent=lambda: time.sleep(3))
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        time.sleep(600)
    elif HANG == "bare-except":
        while True:
            try:
                time.sleep(0.5)
            except:  # noqa: E722
                pass
    elif HANG == "nested-except":  # cannot be stopped in-process: the run ends after the grace period
        while True:
            try:
                try:
                    time.sleep(0.5)
                except:  # noqa: E722
                    pass
            except:  # noqa: E722
                pass
"""


def run(evoforge, task, out):
    args = ["run", "ga", "--task", task, "--budget", 8, "--seed", 1, "--executor", "inprocess"]
    start = time.perf_counter()
    proc = evoforge(*args, "--timeout", 1, "--batch-size", 4, "--out", out, "-q", timeout=60)
    return proc, time.perf_counter() - start


@pytest.mark.parametrize("hang", ["fork-200", "at-fork-hook", "bare-except"])
def test_hang_times_out_and_the_run_goes_on(hang, write_task, tmp_path, evoforge):
    task = write_task(TASK.format(hang=hang))
    out = tmp_path / "run.db"
    proc, seconds = run(evoforge, task, out)
    assert proc.returncode == 0, proc.stderr
    assert seconds < 20, seconds  # the timeout is 1 s
    store = RunStore.open(out)
    try:
        cands = list(store.candidates())
        failed = [c for c in cands if c.status == "failed"]
        assert store.meta("status") == "finished"
        assert len(cands) == 8
        assert [(c.id, c.reason) for c in failed] == [(2, "timed out after 1s")]
    finally:
        store.close()


def test_unstoppable_evaluation_ends_the_run(write_task, tmp_path, evoforge):
    task = write_task(TASK.format(hang="nested-except"))
    proc, seconds = run(evoforge, task, tmp_path / "run.db")
    assert proc.returncode == 1
    assert seconds < 20, seconds  # 1 s timeout + 5 s grace
    assert "ignored its 1s timeout" in proc.stderr and "--executor pool" in proc.stderr


def test_evaluation_that_blocks_the_alarm_is_killed(write_task, tmp_path, evoforge):
    """An evaluator that ignores SIGALRM (as C code can): the kernel timer ends the process."""
    task = write_task(
        """
        import signal, time
        SEED = [1.0, 1.0]
        def evaluate(genome):
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            time.sleep(600)
        """
    )
    proc, seconds = run(evoforge, task, tmp_path / "run.db")
    assert proc.returncode == -9, proc.stderr
    assert seconds < 20, seconds
