"""Where evaluations run. Every executor fills a batch of candidates in order, so the same seed gives
the same run on any of them.

- ``inprocess``: in this process, for trusted tasks. A timeout interrupts Python code (SIGALRM, repeated
  until the evaluation returns; :mod:`evoforge.isolation.alarm`) and fails the candidate; an evaluation
  that still has not returned ``alarm.GRACE`` seconds later (it swallows the interrupt at several
  levels, or runs C code that ignores it) ends the run. Processes an evaluation starts are killed after
  it (this process adopts orphans while evaluating). A segfault or ``os._exit`` ends the run. Chosen
  only on request (``--executor inprocess``) or for tasks with ``evaluate_array``, whose meaning is "run
  me in-process".
- ``pool`` (default): persistent worker processes (:mod:`evoforge.run.pool`); a timeout kills the worker
  and everything it started; with ``sandbox=True`` each worker runs inside bubblewrap.
- ``ray``: Ray tasks on a local Ray (default) or a cluster ``address``; a timeout cancels with
  ``force=True``, which kills the worker process.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from evoforge.core.candidate import Candidate, fail
from evoforge.core.errors import ConfigError, TaskError
from evoforge.core.task import Task, load_task
from evoforge.isolation import alarm, limits, reaper
from evoforge.isolation.evaluation import Outcome, chunk_size, chunks, failed_rows, fill, run_chunk, run_evaluation

from .pool import ProcessPoolExecutor

__all__ = [
    "Executor",
    "InProcessExecutor",
    "ProcessPoolExecutor",
    "RayExecutor",
    "make_executor",
    "run_chunk",
    "run_evaluation",
]


class Executor(Protocol):
    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        """Evaluate ``candidates`` in place (score or failure reason) and return them, in order."""

    def close(self) -> None: ...


def check_sandbox(kind: str, task: Task) -> None:
    """Refuse ``sandbox`` with an executor other than pool, or where bubblewrap does not work."""
    if kind != "pool":
        raise ConfigError(f"--sandbox needs the pool executor (got --executor {kind})")
    from evoforge.isolation.sandbox_pool import check_available

    check_available(task)


def make_executor(
    kind: str,
    task: Task,
    workers: int = 2,
    timeout: float | None = 60.0,
    memory_mb: int | None = 4096,
    address: str | None = None,
    sandbox: bool = False,
    niceness: int = 0,
) -> Executor:
    """``sandbox``: run the task's evaluator inside bubblewrap (pool only); ``niceness``: lower the pool
    workers' CPU priority (a local model shares the cores)."""
    if sandbox:
        check_sandbox(kind, task)
    if kind == "inprocess":
        return InProcessExecutor(task, timeout, memory_mb)
    if kind == "pool":
        return ProcessPoolExecutor(task, workers, timeout, memory_mb, sandbox=sandbox, niceness=niceness)
    if kind == "ray":
        return RayExecutor(task, workers, timeout, memory_mb, address)
    raise ConfigError(f"unknown executor {kind!r} (choose inprocess, pool or ray)")


@contextlib.contextmanager
def _sweeping() -> Iterator[reaper.Sweeper]:
    """While evaluating in this process: adopt orphans (subreaper), and yield a sweeper that kills the
    processes evaluations started."""
    was = reaper.is_subreaper()
    if not was:
        reaper.become_subreaper(True)
    try:
        yield reaper.Sweeper()
    finally:
        if not was:
            reaper.become_subreaper(False)


class InProcessExecutor:
    """Evaluate in this process, for trusted tasks. Cheapest; the timeout interrupts Python code (a
    repeating SIGALRM, :mod:`evoforge.isolation.alarm`), and ends the run when an evaluation cannot be
    stopped; the memory limit applies to the whole process while a batch is evaluated. Processes an
    evaluation starts (``setsid`` and double forks included) are killed after it."""

    def __init__(self, task: Task, timeout: float | None = None, memory_mb: int | None = None):
        self.task, self.timeout, self.memory_mb = task, timeout, memory_mb

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        for cand, (parsed, reason, seconds) in zip(candidates, self.outcomes([c.genome for c in candidates])):
            fill(cand, parsed, reason, seconds)
        return candidates

    def outcomes(self, genomes: list[Any]) -> list[Outcome]:
        """Evaluate ``genomes`` in chunks under the memory limit, each chunk under the alarm."""
        size = chunk_size(self.task, len(genomes), 1)
        out: list[Outcome] = []
        with limits.memory_limit(self.memory_mb), alarm.alarm(self.timeout) as timer, _sweeping() as sweeper:
            for lo in range(0, len(genomes), size):
                chunk = genomes[lo : lo + size]
                start = time.perf_counter()
                try:
                    try:
                        timer.arm(len(chunk))
                        out += run_chunk(self.task, chunk)
                    finally:
                        timer.disarm()
                except alarm.Timeout:
                    timer.disarm()  # it may have fired inside the first disarm
                    out += [(None, f"timed out after {self.timeout:g}s", time.perf_counter() - start)] * len(chunk)
                finally:
                    sweeper.sweep()
        return out

    def evaluate_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The array path: the task's ``evaluate_array(rows) -> (scores, descriptors or None)`` in one
        call, under the same limits (the timeout scaled by the number of rows). Non-finite scores mark
        failed rows; an exception or malformed output is a TaskError, which ends the run cleanly."""
        fn = self.task.evaluate_array
        with limits.memory_limit(self.memory_mb), alarm.alarm(self.timeout) as timer, _sweeping() as sweeper:
            try:
                try:
                    timer.arm(len(rows))
                    out = fn(rows)
                finally:
                    timer.disarm()
            except alarm.Timeout:
                timer.disarm()
                raise TaskError(
                    f"task {self.task.name}: evaluate_array timed out ({self.timeout:g}s x {len(rows)} rows)"
                ) from None
            except Exception as err:
                raise TaskError(f"task {self.task.name}: evaluate_array failed: {type(err).__name__}: {err}") from None
            finally:
                sweeper.sweep()
        try:
            scores, descriptors = out
            scores = np.asarray(scores, dtype=float).reshape(len(rows))
            if descriptors is not None:
                descriptors = np.asarray(descriptors, dtype=float).reshape(len(rows), -1)
        except (TypeError, ValueError) as err:
            raise TaskError(
                f"task {self.task.name}: evaluate_array must return (scores of shape (n,), "
                f"descriptors of shape (n, d) or None) for n = {len(rows)} rows ({err})"
            ) from None
        return failed_rows(self.task, scores, descriptors), descriptors

    def close(self) -> None:
        pass


_RAY_TASKS: dict[tuple, Task] = {}


def _ray_evaluate(
    task_ref: str,
    options: dict[str, Any],
    genomes: list[Any],
    memory_mb: int | None,
    timeout: float | None = None,
    context: dict[str, Any] | None = None,
) -> list[Outcome]:
    """In a Ray worker: the timeout is armed here, when evaluation starts, so the time Ray takes to
    start a worker and load the task does not count against it (the driver keeps a backstop).
    ``context``: the task model (see ``Task.context``)."""
    key = (task_ref, repr(sorted(options.items())), repr(sorted((context or {}).items())))
    if key not in _RAY_TASKS:
        _RAY_TASKS[key] = load_task(task_ref, options, **(context or {}))
    return InProcessExecutor(_RAY_TASKS[key], timeout, memory_mb).outcomes(genomes)


RAY_GRACE = 30.0  # seconds a Ray task may take beyond its timeout (worker start, scheduling) before it is killed


class RayExecutor:
    """Evaluate on Ray: a local Ray started on demand, or the cluster at ``address``. Tasks are loaded
    in the workers from their reference (built-in name, module or absolute file path). The timeout runs
    in the worker from the start of evaluation; a task still running ``RAY_GRACE`` seconds after its
    timeout (code that ignores the alarm) is cancelled with ``force=True``, which kills the worker."""

    def __init__(
        self,
        task: Task,
        workers: int = 2,
        timeout: float | None = 60.0,
        memory_mb: int | None = 4096,
        address: str | None = None,
    ):
        try:
            import ray
        except ImportError:
            raise ConfigError("the ray executor needs Ray: pip install 'evoforge[ray]'") from None
        self.ray, self.task, self.timeout, self.memory_mb = ray, task, timeout, memory_mb
        if not ray.is_initialized():
            try:
                ray.init(
                    address=address,
                    num_cpus=None if address else workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                    ignore_reinit_error=True,
                )
            except Exception as err:
                raise ConfigError(f"cannot start or reach Ray{' at ' + address if address else ''}: {err}") from None
        self.slots = max(1, int(ray.cluster_resources().get("CPU", workers)))
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_evaluate)

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        ray = self.ray
        pending = chunks(len(candidates), chunk_size(self.task, len(candidates), self.slots))
        running: dict[Any, tuple[tuple[int, int], float]] = {}  # ref -> (chunk, deadline)
        while pending or running:
            while pending and len(running) < self.slots:
                lo, hi = pending.popleft()
                ref = self._remote.remote(
                    self.task.ref,
                    self.task.options,
                    [c.genome for c in candidates[lo:hi]],
                    self.memory_mb,
                    self.timeout,
                    self.task.context,
                )
                backstop = self.timeout * (hi - lo) + RAY_GRACE if self.timeout else float("inf")
                running[ref] = ((lo, hi), time.perf_counter() + backstop)
            first_deadline = min(deadline for _, deadline in running.values())
            wait_for = None if first_deadline == float("inf") else max(0.0, first_deadline - time.perf_counter())
            done, _ = ray.wait(list(running), num_returns=1, timeout=wait_for)
            for ref in done:
                (lo, hi), _deadline = running.pop(ref)
                try:
                    outcomes = ray.get(ref)
                except Exception as err:  # worker died: segfault, OOM killer, ...
                    last = (str(err).strip().splitlines() or [""])[-1][:200]  # the error under Ray's traceback
                    outcomes = [(None, f"ray worker failed: {type(err).__name__}: {last}", 0.0)] * (hi - lo)
                for cand, (parsed, reason, seconds) in zip(candidates[lo:hi], outcomes):
                    fill(cand, parsed, reason, seconds)
            now = time.perf_counter()
            for ref, ((lo, hi), deadline) in list(running.items()):
                if now >= deadline:
                    del running[ref]
                    ray.cancel(ref, force=True)
                    for cand in candidates[lo:hi]:
                        fail(cand, f"timed out after {self.timeout:g}s (worker killed)", self.timeout)
        return candidates

    def close(self) -> None:
        pass
