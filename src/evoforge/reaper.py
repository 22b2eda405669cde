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

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper(on: bool = True) -> bool:
    """Make this process adopt its orphaned descendants; False where the kernel refuses."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0
    return False


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


class Sweeper:
    """Kills what an evaluation started: create it before the evaluations (it notes the descendants
    that already exist, which it spares), call :meth:`sweep` after each one."""

    def __init__(self) -> None:
        self.keep = frozenset(descendants(os.getpid()))
        self.mark = forks()

    def sweep(self) -> int:
        now = forks()
        if now == self.mark and now != -1:
            return 0
        killed = kill_descendants(keep=self.keep)
        self.mark = forks()
        return killed


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) of every process on the machine (one pass over /proc)."""
    out: dict[int, tuple[int, str]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # the name in parentheses may hold spaces
        if len(fields) >= 2:
            out[int(name)] = (int(fields[1]), fields[0].decode())
    return out


def descendants(pid: int) -> dict[int, str]:
    """pid -> state of every descendant of ``pid`` (children, their children ...)."""
    table = _parents()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        if child not in found:
            found[child] = table[child][1]
            todo += children.get(child, [])
    return found


def kill_descendants(pid: int | None = None, keep: frozenset[int] | set[int] = frozenset(),
                     patience: float = 2.0) -> int:
    """SIGKILL every descendant of ``pid`` (default: this process) except ``keep`` and their own
    descendants, again and again until none is alive (a process forking meanwhile is caught on the next
    pass); reap those that are our own children. Returns how many were killed."""
    me = os.getpid()
    pid = me if pid is None else pid
    killed: set[int] = set()
    deadline = time.monotonic() + patience
    while True:
        alive = {p for p, state in _without(descendants(pid), keep, pid).items() if state not in "ZX"}
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


def _without(found: dict[int, str], keep: frozenset[int] | set[int], root: int) -> dict[int, str]:
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
