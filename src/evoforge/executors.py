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

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator, Protocol

import numpy as np

from . import limits
from .candidate import Candidate, EvaluationError, fail, parse_result
from .errors import ConfigError, TaskError
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


Outcome = tuple[dict[str, Any] | None, str | None, float]  # (parsed result, failure reason, seconds)


def run_chunk(task: Task, genomes: list[Any]) -> list[Outcome]:
    """Evaluate several genomes: one ``evaluate_batch(genomes)`` call when the task has one (vectorised
    tasks), else one ``evaluate`` each. A batch call that fails falls back to one call per genome, so
    every failure keeps its own reason."""
    batch_fn = task.attr("evaluate_batch")
    if batch_fn is not None and len(genomes) > 1:
        start = time.perf_counter()
        try:
            results = list(batch_fn(genomes))
            if len(results) != len(genomes):
                raise EvaluationError(f"evaluate_batch returned {len(results)} results for {len(genomes)} genomes")
            per = (time.perf_counter() - start) / len(genomes)
            out: list[Outcome] = []
            for result in results:
                try:
                    out.append((parse_result(result), None, per))
                except EvaluationError as err:
                    out.append((None, str(err), per))
            return out
        except Exception:
            pass
    out = []
    for genome in genomes:
        start = time.perf_counter()
        parsed, reason = run_evaluation(task, genome)
        out.append((parsed, reason, time.perf_counter() - start))
    return out


def chunk_size(task: Task, n: int, workers: int) -> int:
    """Genomes per job: one (a timeout then kills exactly one evaluation), or an even share of the batch
    per worker for tasks with ``evaluate_batch``."""
    return max(1, -(-n // workers)) if task.attr("evaluate_batch") is not None else 1


def _fill(cand: Candidate, parsed: dict[str, Any] | None, reason: str | None, seconds: float) -> None:
    """Record an outcome; ``parsed`` is already validated by :func:`parse_result`."""
    cand.eval_seconds = seconds
    if parsed is None:
        fail(cand, reason or "unknown failure", seconds)
        return
    cand.score = parsed["score"]
    cand.metrics = parsed.get("metrics", {})
    cand.descriptors = parsed.get("descriptors")
    cand.feedback = parsed.get("feedback")
    cand.status, cand.reason = "ok", None


class _Timeout(BaseException):  # not an Exception, so evaluators cannot swallow it
    pass


class InProcessExecutor:
    """Evaluate in this process. Cheapest; the timeout only interrupts Python code (SIGALRM) and the
    memory limit applies to the whole process while a batch is evaluated."""

    def __init__(self, task: Task, timeout: float | None = None, memory_mb: int | None = None):
        self.task, self.timeout, self.memory_mb = task, timeout, memory_mb

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        for cand, (parsed, reason, seconds) in zip(candidates, self.outcomes([c.genome for c in candidates])):
            _fill(cand, parsed, reason, seconds)
        return candidates

    def outcomes(self, genomes: list[Any]) -> list[Outcome]:
        """Evaluate ``genomes`` in chunks under the memory limit, each chunk under the alarm."""
        size = chunk_size(self.task, len(genomes), 1)
        out: list[Outcome] = []
        with limits.memory_limit(self.memory_mb), self._alarm_handler() as arm:
            for lo in range(0, len(genomes), size):
                chunk = genomes[lo: lo + size]
                start = time.perf_counter()
                try:
                    arm(len(chunk))
                    out += run_chunk(self.task, chunk)
                except _Timeout:
                    out += [(None, f"timed out after {self.timeout:g}s", time.perf_counter() - start)] * len(chunk)
                finally:
                    arm(0)
        return out

    def evaluate_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The array path: the task's ``evaluate_array(rows) -> (scores, descriptors or None)`` in one
        call, under the same limits (the timeout scaled by the number of rows). Non-finite scores mark
        failed rows; an exception or malformed output is a TaskError, which ends the run cleanly."""
        fn = self.task.attr("evaluate_array")
        with limits.memory_limit(self.memory_mb), self._alarm_handler() as arm:
            try:
                arm(len(rows))
                out = fn(rows)
            except _Timeout:
                raise TaskError(f"task {self.task.name}: evaluate_array timed out "
                                f"({self.timeout:g}s x {len(rows)} rows)") from None
            except Exception as err:
                raise TaskError(f"task {self.task.name}: evaluate_array failed: {type(err).__name__}: {err}") from None
            finally:
                arm(0)
        try:
            scores, descriptors = out
            scores = np.asarray(scores, dtype=float).reshape(len(rows))
            if descriptors is not None:
                descriptors = np.asarray(descriptors, dtype=float).reshape(len(rows), -1)
        except (TypeError, ValueError) as err:
            raise TaskError(f"task {self.task.name}: evaluate_array must return (scores of shape (n,), "
                            f"descriptors of shape (n, d) or None) for n = {len(rows)} rows ({err})") from None
        return scores, descriptors

    @contextlib.contextmanager
    def _alarm_handler(self) -> Iterator[Callable[[int], None]]:
        """Install a SIGALRM handler for the batch; yields ``arm(k)``: allow k evaluations' time (0: off)."""
        if not self.timeout or threading.current_thread() is not threading.main_thread():
            yield lambda k: None
            return

        def raise_timeout(signum: int, frame: Any) -> None:
            raise _Timeout()

        previous = signal.signal(signal.SIGALRM, raise_timeout)
        try:
            yield lambda k: signal.setitimer(signal.ITIMER_REAL, self.timeout * k if k else 0)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

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
                genomes = conn.recv()
            except (EOFError, OSError):
                return
            if genomes is None:
                return
            outcomes = run_chunk(task, genomes)
            conn.send(outcomes)
            if any((reason or "").startswith("out of memory") for _, reason, _ in outcomes):
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


def _chunks(n: int, size: int) -> deque[tuple[int, int]]:
    return deque((lo, min(lo + size, n)) for lo in range(0, n, size))


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
        pending = _chunks(len(candidates), chunk_size(self.task, len(candidates), self.n_workers))
        idle = list(self._workers)
        busy: dict[Connection, tuple[_Worker, tuple[int, int], float]] = {}  # conn -> (worker, chunk, deadline)
        while pending or busy:
            while pending and idle:
                worker, (lo, hi) = idle.pop(), pending.popleft()
                genomes = [c.genome for c in candidates[lo:hi]]
                try:
                    worker.conn.send(genomes)
                except (BrokenPipeError, OSError):
                    worker = self._replace(worker)
                    worker.conn.send(genomes)
                deadline = time.perf_counter() + self.timeout * (hi - lo) if self.timeout else float("inf")
                busy[worker.conn] = (worker, (lo, hi), deadline)
            first_deadline = min(deadline for _, _, deadline in busy.values())
            wait_for = None if first_deadline == float("inf") else max(0.0, first_deadline - time.perf_counter())
            for conn in wait(list(busy), timeout=wait_for):
                worker, (lo, hi), deadline = busy.pop(conn)
                try:
                    outcomes = conn.recv()
                except (EOFError, OSError):
                    reason = worker.failure()
                    outcomes = [(None, reason, 0.0)] * (hi - lo)
                    worker = self._replace(worker)
                else:
                    if not worker.process.is_alive() or any((r or "").startswith("out of memory") for _, r, _ in outcomes):
                        worker = self._replace(worker)
                for cand, (parsed, reason, seconds) in zip(candidates[lo:hi], outcomes):
                    _fill(cand, parsed, reason, seconds)
                idle.append(worker)
            now = time.perf_counter()
            for conn, (worker, (lo, hi), deadline) in list(busy.items()):
                if now >= deadline:
                    del busy[conn]
                    for cand in candidates[lo:hi]:
                        fail(cand, f"timed out after {self.timeout:g}s (process group killed)", self.timeout)
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


def _ray_evaluate(task_ref: str, options: dict[str, Any], genomes: list[Any], memory_mb: int | None,
                  timeout: float | None = None, context: dict[str, Any] | None = None) -> list[Outcome]:
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
        pending = _chunks(len(candidates), chunk_size(self.task, len(candidates), self.slots))
        running: dict[Any, tuple[tuple[int, int], float]] = {}  # ref -> (chunk, deadline)
        while pending or running:
            while pending and len(running) < self.slots:
                lo, hi = pending.popleft()
                ref = self._remote.remote(self.task.ref, self.task.options, [c.genome for c in candidates[lo:hi]],
                                          self.memory_mb, self.timeout, self.task.context)
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
                    outcomes = [(None, f"ray worker failed: {type(err).__name__}", 0.0)] * (hi - lo)
                for cand, (parsed, reason, seconds) in zip(candidates[lo:hi], outcomes):
                    _fill(cand, parsed, reason, seconds)
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
