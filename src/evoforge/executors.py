"""Where evaluations run. Every executor fills a batch of candidates in order, so the same seed gives
the same run on any of them.

- ``inprocess``: in this process; a timeout interrupts Python code only (SIGALRM).
- ``pool`` (default): persistent worker processes, each in its own process group with a memory limit.
  A timeout kills the worker's whole group and starts a fresh worker, so a hung evaluator never hangs
  the run. Written here rather than on ``concurrent.futures`` / ``multiprocessing.Pool`` because
  neither can kill one running task, its children, or survive a worker that segfaults.
- ``ray``: Ray tasks on a local Ray (default) or a cluster ``address``; a timeout cancels with
  ``force=True``, which kills the worker process.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from . import limits
from .candidate import Candidate, EvaluationError, apply_result, fail, parse_result
from .errors import ConfigError
from .task import Task, load_task


class Executor(Protocol):
    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        """Evaluate ``candidates`` in place (score or failure reason) and return them, in order."""

    def close(self) -> None: ...


def make_executor(kind: str, task: Task, workers: int = 2, timeout: float | None = 60.0,
                  memory_mb: int | None = 4096, address: str | None = None) -> Executor:
    if kind == "inprocess":
        return InProcessExecutor(task, timeout, memory_mb)
    if kind == "pool":
        return ProcessPoolExecutor(task, workers, timeout, memory_mb)
    if kind == "ray":
        return RayExecutor(task, workers, timeout, memory_mb, address)
    raise ConfigError(f"unknown executor {kind!r} (choose inprocess, pool or ray)")


def run_evaluation(task: Task, genome: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Call the task's evaluator; return (parsed result, None) or (None, failure reason)."""
    try:
        return parse_result(task.evaluate(genome)), None
    except EvaluationError as err:
        return None, str(err)
    except MemoryError:
        return None, "out of memory (MemoryError)"
    except RecursionError:
        return None, "RecursionError: maximum recursion depth exceeded"
    except Exception as err:
        return None, f"{type(err).__name__}: {err}"[:2000]
    except SystemExit as err:
        return None, f"evaluator called exit({err.code})"


def _fill(cand: Candidate, parsed: dict[str, Any] | None, reason: str | None, seconds: float) -> None:
    if parsed is None:
        fail(cand, reason or "unknown failure", seconds)
    else:
        apply_result(cand, parsed, seconds)


class _Timeout(BaseException):  # not an Exception, so evaluators cannot swallow it
    pass


class InProcessExecutor:
    """Evaluate in this process. Cheapest; the timeout only interrupts Python code (SIGALRM) and the
    memory limit applies to the whole process while a batch is evaluated."""

    def __init__(self, task: Task, timeout: float | None = None, memory_mb: int | None = None):
        self.task, self.timeout, self.memory_mb = task, timeout, memory_mb

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        with limits.memory_limit(self.memory_mb):
            for cand in candidates:
                start = time.perf_counter()
                with self._alarm():
                    try:
                        parsed, reason = run_evaluation(self.task, cand.genome)
                    except _Timeout:
                        parsed, reason = None, f"timed out after {self.timeout:g}s"
                _fill(cand, parsed, reason, time.perf_counter() - start)
        return candidates

    def _alarm(self):
        import contextlib
        import threading

        if not self.timeout or threading.current_thread() is not threading.main_thread():
            return contextlib.nullcontext()

        @contextlib.contextmanager
        def alarm():
            def raise_timeout(signum, frame):
                raise _Timeout()

            previous = signal.signal(signal.SIGALRM, raise_timeout)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                yield
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)

        return alarm()

    def close(self) -> None:
        pass


def _worker_main(conn: Connection, task: Task, memory_mb: int | None) -> None:
    os.setsid()  # own process group: a timeout kills everything the evaluator started
    limits.die_with_parent()
    limits.silence_output()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with limits.memory_limit(memory_mb):
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            start = time.perf_counter()
            parsed, reason = run_evaluation(task, job)
            conn.send((parsed, reason, time.perf_counter() - start))
            if reason and reason.startswith("out of memory"):
                return  # start afresh rather than run on in a process that hit its limit


class _Worker:
    def __init__(self, ctx: Any, task: Task, memory_mb: int | None):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, task, memory_mb), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        limits.kill_group(self.process.pid)
        self.process.join(timeout=5)
        self.conn.close()

    def failure(self) -> str:
        self.process.join(timeout=1)
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"evaluator process killed by signal {signal.Signals(-code).name}"
        return f"evaluator process exited with code {code}"


class ProcessPoolExecutor:
    """Persistent worker processes with a per-evaluation timeout that really kills."""

    def __init__(self, task: Task, workers: int = 2, timeout: float | None = 60.0, memory_mb: int | None = 4096):
        if workers < 1:
            raise ConfigError("workers must be >= 1")
        self.task, self.n_workers, self.timeout, self.memory_mb = task, workers, timeout, memory_mb
        self._ctx = mp.get_context("fork")
        self._workers: list[_Worker] = []

    def _spawn(self) -> _Worker:
        return _Worker(self._ctx, self.task, self.memory_mb)

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        while len(self._workers) < self.n_workers:
            self._workers.append(self._spawn())
        pending = deque(range(len(candidates)))
        idle = list(self._workers)
        busy: dict[Connection, tuple[_Worker, int, float]] = {}  # conn -> (worker, index, start)
        while pending or busy:
            while pending and idle:
                worker, index = idle.pop(), pending.popleft()
                try:
                    worker.conn.send(candidates[index].genome)
                except (BrokenPipeError, OSError):
                    worker = self._replace(worker)
                    worker.conn.send(candidates[index].genome)
                busy[worker.conn] = (worker, index, time.perf_counter())
            wait_for = None
            if self.timeout:
                first_deadline = min(start for _, _, start in busy.values()) + self.timeout
                wait_for = max(0.0, first_deadline - time.perf_counter())
            for conn in wait(list(busy), timeout=wait_for):
                worker, index, start = busy.pop(conn)
                try:
                    parsed, reason, seconds = conn.recv()
                except (EOFError, OSError):
                    fail(candidates[index], worker.failure(), time.perf_counter() - start)
                    worker = self._replace(worker)
                else:
                    _fill(candidates[index], parsed, reason, seconds)
                    if not worker.process.is_alive() or (reason or "").startswith("out of memory"):
                        worker = self._replace(worker)
                idle.append(worker)
            if self.timeout:
                now = time.perf_counter()
                for conn, (worker, index, start) in list(busy.items()):
                    if now - start >= self.timeout:
                        del busy[conn]
                        fail(candidates[index], f"timed out after {self.timeout:g}s (process group killed)",
                             now - start)
                        idle.append(self._replace(worker))
        return candidates

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        fresh = self._spawn()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in self._workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.kill()
        self._workers = []


_RAY_TASKS: dict[tuple, Task] = {}


def _ray_evaluate(task_ref: str, options: dict[str, Any], genome: Any, memory_mb: int | None):
    key = (task_ref, tuple(sorted(options.items())))
    if key not in _RAY_TASKS:
        _RAY_TASKS[key] = load_task(task_ref, options)
    start = time.perf_counter()
    with limits.memory_limit(memory_mb):
        parsed, reason = run_evaluation(_RAY_TASKS[key], genome)
    return parsed, reason, time.perf_counter() - start


class RayExecutor:
    """Evaluate on Ray: a local Ray started on demand, or the cluster at ``address``. Tasks are loaded
    in the workers from their reference (built-in name, module or absolute file path)."""

    def __init__(self, task: Task, workers: int = 2, timeout: float | None = 60.0,
                 memory_mb: int | None = 4096, address: str | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError("the ray executor needs Ray: pip install 'evoforge[ray]'") from None
        self.ray, self.task, self.timeout, self.memory_mb = ray, task, timeout, memory_mb
        if not ray.is_initialized():
            try:
                ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                         log_to_driver=False, configure_logging=False, ignore_reinit_error=True)
            except Exception as err:
                raise ConfigError(f"cannot start or reach Ray{' at ' + address if address else ''}: {err}") from None
        self.slots = max(1, int(ray.cluster_resources().get("CPU", workers)))
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_evaluate)

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        ray = self.ray
        pending = deque(range(len(candidates)))
        running: dict[Any, tuple[int, float]] = {}
        while pending or running:
            while pending and len(running) < self.slots:
                index = pending.popleft()
                ref = self._remote.remote(self.task.ref, self.task.options, candidates[index].genome, self.memory_mb)
                running[ref] = (index, time.perf_counter())
            wait_for = None
            if self.timeout:
                first_deadline = min(start for _, start in running.values()) + self.timeout
                wait_for = max(0.0, first_deadline - time.perf_counter())
            done, _ = ray.wait(list(running), num_returns=1, timeout=wait_for)
            for ref in done:
                index, start = running.pop(ref)
                try:
                    parsed, reason, seconds = ray.get(ref)
                except Exception as err:  # worker died: segfault, OOM killer, ...
                    parsed, reason, seconds = None, f"ray worker failed: {type(err).__name__}", time.perf_counter() - start
                _fill(candidates[index], parsed, reason, seconds)
            now = time.perf_counter()
            for ref, (index, start) in list(running.items()):
                if self.timeout and now - start >= self.timeout:
                    del running[ref]
                    ray.cancel(ref, force=True)
                    fail(candidates[index], f"timed out after {self.timeout:g}s (worker killed)", now - start)
        return candidates

    def close(self) -> None:
        pass
