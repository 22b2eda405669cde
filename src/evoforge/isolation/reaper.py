"""Kill every process an evaluation started, including ``setsid`` + double-fork escapees.

A process that calls :func:`become_subreaper` adopts its orphaned descendants (``PR_SET_CHILD_SUBREAPER``):
a grandchild whose parent exits is re-parented to it rather than to init, whatever session or process
group it moved to. So "every process started since" is exactly its descendants, which
:func:`kill_descendants` finds through ``/proc`` and kills until none is left.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper(on: bool = True) -> bool:
    """Make this process adopt its orphaned descendants; False where the kernel refuses."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0
    return False


def die_with(parent: int) -> None:
    """In a process just forked from ``parent``: have Linux SIGKILL it when ``parent`` dies
    (``PR_SET_PDEATHSIG``), and exit at once if ``parent`` died already. The request only covers deaths
    after it: a parent killed between the fork and the request has left this process re-parented (to
    init or a subreaper), which ``getppid()`` then tells."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def is_subreaper() -> bool:
    """Whether this process already adopts orphans."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        flag = ctypes.c_int(0)
        if libc.prctl(37, ctypes.byref(flag), 0, 0, 0) == 0:  # PR_GET_CHILD_SUBREAPER
            return bool(flag.value)
    return False


def forks() -> int:
    """Processes created on this machine since boot (``/proc/stat``): unchanged means nothing forked,
    so the scan of :func:`kill_descendants` can be skipped. -1 where unreadable."""
    try:
        with open("/proc/stat", "rb") as fh:
            for line in fh:
                if line.startswith(b"processes "):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return -1


def has_children() -> bool:
    """Whether this process has any child (running or not), without reaping one. With no child it has
    no descendant either: a subreaper's orphans become its children."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def ticks_now() -> int:
    """Now, in the clock ticks since boot that ``/proc/<pid>/stat`` start times use."""
    with open("/proc/uptime") as fh:
        return int(float(fh.read().split()[0]) * os.sysconf("SC_CLK_TCK"))


class Sweeper:
    """Kills what evaluations start: create it before them, call :meth:`sweep` after each one. Only
    descendants started since it was created are killed; a sweep costs one small read when nothing
    forked on the machine meanwhile or this process has no child."""

    def __init__(self) -> None:
        self.mark = forks()
        self.since = ticks_now()

    def sweep(self) -> int:
        if not has_children():
            return 0
        now = forks()
        if now == self.mark and now != -1:
            return 0
        killed = kill_descendants(since=self.since)
        self.mark = forks()
        return killed


def _parents() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, state letter, start time in ticks) of every process (one pass over /proc)."""
    out: dict[int, tuple[int, str, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()  # the name in parentheses may hold spaces
        if len(fields) >= 20:
            out[int(name)] = (int(fields[1]), fields[0].decode(), int(fields[19]))
    return out


def descendants(pid: int) -> dict[int, tuple[str, int]]:
    """pid -> (state, start time) of every descendant of ``pid`` (children, their children ...)."""
    table = _parents()
    children: dict[int, list[int]] = {}
    for child, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(child)
    found: dict[int, tuple[str, int]] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        if child not in found:
            found[child] = table[child][1:]
            todo += children.get(child, [])
    return found


def kill_descendants(
    pid: int | None = None,
    keep: frozenset[int] | set[int] = frozenset(),
    since: int | None = None,
    patience: float = 2.0,
) -> int:
    """SIGKILL every descendant of ``pid`` (default: this process) except ``keep`` and their own
    descendants (and, with ``since``, those started before that tick), again and again until none is
    alive (a process forking meanwhile is caught on the next pass); reap those that are our own
    children. Returns how many were killed."""
    me = os.getpid()
    pid = me if pid is None else pid
    killed: set[int] = set()
    deadline = time.monotonic() + patience
    while True:
        alive = {
            p
            for p, (state, start) in _without(descendants(pid), keep, pid).items()
            if state not in "ZX" and (since is None or start >= since)
        }
        if not alive or time.monotonic() > deadline:
            break
        for p in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, signal.SIGKILL)
        killed |= alive
        time.sleep(0.005)
    if pid == me:
        for p in killed:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(p, os.WNOHANG)
    return len(killed)


def _without(
    found: dict[int, tuple[str, int]], keep: frozenset[int] | set[int], root: int
) -> dict[int, tuple[str, int]]:
    """``found`` minus the processes in ``keep`` and everything below them."""
    if not keep:
        return found
    table = _parents()
    out = {}
    for p, state in found.items():
        q, spared = p, False
        while q in table and q != root:
            if q in keep:
                spared = True
                break
            q = table[q][0]
        if not spared:
            out[p] = state
    return out


def kill_tree(pid: int) -> None:
    """Kill ``pid`` and all its descendants: stop it first so it cannot start more, then the
    descendants (orphans re-parent to it while it is stopped but alive), then it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGSTOP)
    kill_descendants(pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
