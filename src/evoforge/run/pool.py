"""The ``pool`` executor: persistent worker processes with a per-evaluation timeout that really kills.

Written here rather than on ``concurrent.futures`` / ``multiprocessing.Pool`` because neither can kill
one running task, its children, or survive a worker that segfaults. Each worker runs in its own process
group with an address-space limit and adopts the orphans of what it starts (``PR_SET_CHILD_SUBREAPER``);
after every chunk it kills all its descendants, so an evaluator that forks, ``setsid``s or double-forks
leaves nothing running. A timeout stops the worker, kills its descendants and then the worker, and a
fresh one takes its place. ``niceness`` lowers the workers' CPU priority (``os.nice``), so that a model
generating on the same cores is not starved by evaluations (the run asks for it with a local model).
With ``sandbox=True`` the workers are :class:`~evoforge.isolation.sandbox_pool.SandboxedWorker`:
each runs inside bubblewrap, and results come back as JSON.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from evoforge.core.candidate import Candidate, fail
from evoforge.core.errors import ConfigError
from evoforge.core.task import Task
from evoforge.isolation import limits, reaper
from evoforge.isolation.evaluation import Outcome, chunk_size, chunks, exit_reason, fill, serve


def _worker_main(conn: Connection, task: Task, memory_mb: int | None, niceness: int, parent: int) -> None:
    reaper.die_with(parent)  # first: the run may have been killed since the fork
    os.setsid()  # own process group: a timeout kills everything the evaluator started
    if niceness > 0:
        os.nice(niceness)
    limits.silence_output()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(conn.recv, conn.send, task, memory_mb)


class Worker(Protocol):
    conn: Connection  # what multiprocessing.connection.wait waits on

    def send(self, genomes: list[Any] | None) -> None: ...

    def recv(self) -> list[Outcome]: ...

    def alive(self) -> bool: ...

    def kill(self) -> None: ...

    def failure(self) -> str: ...

    def join(self, timeout: float) -> None: ...


class ForkedWorker:
    """A worker forked from this process (it shares the loaded task)."""

    def __init__(self, ctx: Any, task: Task, memory_mb: int | None, niceness: int = 0):
        self.conn, child = ctx.Pipe()
        args = (child, task, memory_mb, niceness, os.getpid())
        self.process = ctx.Process(target=_worker_main, args=args, daemon=True)
        self.process.start()
        child.close()

    def send(self, genomes: list[Any] | None) -> None:
        self.conn.send(genomes)

    def recv(self) -> list[Outcome]:
        return self.conn.recv()

    def alive(self) -> bool:
        return self.process.is_alive()

    def join(self, timeout: float) -> None:
        self.process.join(timeout=timeout)

    def kill(self) -> None:
        if self.process.pid is not None:
            reaper.kill_tree(self.process.pid)
            limits.kill_group(self.process.pid)
        self.process.join(timeout=5)
        self.conn.close()

    def failure(self) -> str:
        self.process.join(timeout=1)
        return exit_reason(self.process.exitcode)


class ProcessPoolExecutor:
    """Persistent worker processes with a per-evaluation timeout that really kills."""

    def __init__(
        self,
        task: Task,
        workers: int = 2,
        timeout: float | None = 60.0,
        memory_mb: int | None = 4096,
        *,
        sandbox: bool = False,
        niceness: int = 0,
    ):
        if workers < 1:
            raise ConfigError("workers must be >= 1")
        self.task, self.n_workers, self.timeout, self.memory_mb = task, workers, timeout, memory_mb
        self.sandbox, self.niceness = sandbox, niceness
        if sandbox:
            from evoforge.isolation.sandbox_pool import check_available

            check_available(task)
        self._ctx = mp.get_context("fork")
        self._workers: list[Worker] = []
        self._idle: list[Worker] = []
        self._queue: deque[list[Candidate]] = deque()  # chunks waiting for a worker
        self._busy: dict[Connection, tuple[Worker, list[Candidate], float]] = {}  # conn -> (worker, chunk, deadline)
        # this process adopts what escapes a worker that dies (setsid'd grandchildren of a crashed worker)
        self._was_subreaper = reaper.is_subreaper()
        self._since = reaper.ticks_now()
        if not sandbox and not self._was_subreaper:
            reaper.become_subreaper(True)

    def _spawn(self) -> Worker:
        if self.sandbox:
            from evoforge.isolation.sandbox_pool import SandboxedWorker

            return SandboxedWorker(self.task, self.memory_mb, self.niceness)
        return ForkedWorker(self._ctx, self.task, self.memory_mb, self.niceness)

    def evaluate(self, candidates: list[Candidate]) -> list[Candidate]:
        self.submit(candidates)
        while self.outstanding:
            self.poll(None)
        return candidates

    @property
    def outstanding(self) -> int:
        """Candidates submitted whose results have not come back yet."""
        return sum(len(chunk) for chunk in self._queue) + sum(len(chunk) for _, chunk, _ in self._busy.values())

    def submit(self, candidates: list[Candidate]) -> None:
        """Queue ``candidates`` (in chunks, for tasks with ``evaluate_batch``); :meth:`poll` runs them."""
        while len(self._workers) < self.n_workers:
            worker = self._spawn()
            self._workers.append(worker)
            self._idle.append(worker)
        for lo, hi in chunks(len(candidates), chunk_size(self.task, len(candidates), self.n_workers)):
            self._queue.append(candidates[lo:hi])

    def poll(self, timeout: float | None) -> list[Candidate]:
        """Start queued chunks on idle workers, wait up to ``timeout`` seconds (None: until one finishes)
        and return the candidates whose evaluation ended (scored, failed or timed out)."""
        self._dispatch()
        if not self._busy:
            return []
        first_deadline = min(deadline for _, _, deadline in self._busy.values())
        wait_for = None if first_deadline == float("inf") else max(0.0, first_deadline - time.perf_counter())
        if timeout is not None:
            wait_for = timeout if wait_for is None else min(wait_for, timeout)
        done: list[Candidate] = []
        for conn in wait(list(self._busy), timeout=wait_for):
            worker, chunk, _ = self._busy.pop(conn)  # type: ignore[index]
            try:
                outcomes = worker.recv()
            except (EOFError, OSError):
                outcomes = [(None, worker.failure(), 0.0)] * len(chunk)
                worker = self._replace(worker)
            else:
                if len(outcomes) != len(chunk):
                    why = f"evaluator process sent {len(outcomes)} results for {len(chunk)} genomes"
                    outcomes = [(None, why, 0.0)] * len(chunk)
                if not worker.alive() or any((r or "").startswith("out of memory") for _, r, _ in outcomes):
                    worker = self._replace(worker)
            for cand, (parsed, reason, seconds) in zip(chunk, outcomes):
                fill(cand, parsed, reason, seconds)
            self._idle.append(worker)
            done += chunk
        now = time.perf_counter()
        for conn, (worker, chunk, deadline) in list(self._busy.items()):
            if now >= deadline:
                del self._busy[conn]
                for cand in chunk:
                    fail(cand, f"timed out after {self.timeout:g}s (process group killed)", self.timeout)
                self._idle.append(self._replace(worker))
                done += chunk
        self._dispatch()
        return done

    def _dispatch(self) -> None:
        while self._queue and self._idle:
            worker, chunk = self._idle.pop(), self._queue.popleft()
            genomes = [c.genome for c in chunk]
            try:
                worker.send(genomes)
            except (BrokenPipeError, OSError):
                worker = self._replace(worker)
                worker.send(genomes)
            deadline = time.perf_counter() + self.timeout * len(chunk) if self.timeout else float("inf")
            self._busy[worker.conn] = (worker, chunk, deadline)

    def _replace(self, worker: Worker) -> Worker:
        worker.kill()
        self._reap_orphans(exclude=worker)
        fresh = self._spawn()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in self._workers:
            worker.join(2)
            if worker.alive():
                worker.kill()
        self._workers, self._idle, self._busy = [], [], {}
        self._queue.clear()
        self._reap_orphans()
        if not self.sandbox and not self._was_subreaper:
            reaper.become_subreaper(False)

    def _reap_orphans(self, exclude: Worker | None = None) -> None:
        """Kill this process's descendants started since the pool was made that are not live workers
        (orphans adopted from a worker that died)."""
        if self.sandbox:
            return  # a sandboxed worker's processes die with its pid namespace
        live = {w.process.pid for w in self._workers if w is not exclude and isinstance(w, ForkedWorker)}
        reaper.kill_descendants(keep={p for p in live if p is not None}, since=self._since)
