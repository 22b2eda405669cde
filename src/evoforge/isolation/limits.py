"""Resource limits for evaluations that run in a process of their own, and the one teardown of a
sandboxed process (:func:`tear_down`) that the program and agent sandboxes share."""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import subprocess
from collections.abc import Iterable, Iterator
from typing import Any

_MB = 1024 * 1024


def address_space_bytes() -> int:
    """Current virtual memory size of this process."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def memory_limit(extra_mb: int | None) -> Iterator[None]:
    """Let the process grow by at most ``extra_mb`` MB of address space while inside the block.

    Only the soft limit is lowered, so it can be restored afterwards; allocations beyond it raise
    ``MemoryError`` instead of taking the machine down."""
    if not extra_mb:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = address_space_bytes() + int(extra_mb) * _MB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after kill -9)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def silence_output() -> None:
    """Point stdout/stderr at /dev/null: an evaluator printing 100 MB must not block on a full pipe.
    Also stops inherited crash reporters (faulthandler) writing a crashed evaluator's stack to the
    parent's terminal."""
    import faulthandler

    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def kill_group(pid: int) -> None:
    """Kill a process and every process in its group (it must have called ``setsid``)."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            target()


def tear_down(proc: subprocess.Popen, selector: Any, streams: Iterable[Any]) -> None:
    """End a sandboxed process for good: kill its whole process group, reap it (waiting at most 5 s),
    close the selector and every pipe end (file objects or raw descriptors) that fed it."""
    kill_group(proc.pid)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    selector.close()
    for stream in streams:
        try:
            os.close(stream) if isinstance(stream, int) else stream.close()
        except OSError:
            pass
