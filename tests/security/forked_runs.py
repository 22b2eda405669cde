"""Start many ``evoforge`` commands quickly, for tests that kill runs again and again: one helper process
imports evoforge once and forks a child per command (``evoforge.cli.main(args)``), so a command starts
in milliseconds instead of an interpreter's second. Every process it forks carries the helper's
command line, which holds a unique marker: :meth:`Forker.marked` finds what outlived a command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

HELPER = r"""
import json, os, signal, sys
import evoforge.cli, evoforge.run.api, evoforge.recipes.registry  # noqa: F401  (imported once, shared by forks)

for line in sys.stdin:
    op, arg = json.loads(line)
    if op == "start":
        args, log = arg
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND) if log else devnull
            for fd in (1, 2):
                os.dup2(out, fd)
            code = 1
            try:
                evoforge.cli.main(args)
                code = 0
            except SystemExit as err:
                code = err.code if isinstance(err.code, int) else 1
            finally:
                os._exit(code)
        print(pid, flush=True)
    elif op == "wait":
        _, status = os.waitpid(arg, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
"""


class Forker:
    """The helper process; use as a context manager."""

    def __init__(self) -> None:
        self.mark = f"evoforge-forker-{uuid.uuid4().hex}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HELPER, self.mark],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> Forker:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def _ask(self, op: str, arg: object) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([op, arg]) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def start(self, *args: object, log: object = None) -> int:
        """Start ``evoforge ARGS`` in a fork of the helper (its output appended to the file ``log``, or
        dropped); its pid."""
        return self._ask("start", [[str(a) for a in args], str(log) if log else None])

    def wait(self, pid: int) -> int:
        """Wait for a command to end; its exit code (negative: killed by that signal)."""
        return self._ask("wait", pid)

    def run(self, *args: object, log: object = None) -> int:
        return self.wait(self.start(*args, log=log))

    def kill(self, pid: int) -> int:
        with_suppressed(lambda: os.kill(pid, signal.SIGKILL))
        return self.wait(pid)

    def marked(self) -> list[int]:
        """Live processes forked from the helper (commands and what they started), the helper aside."""
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == self.proc.pid:
                continue
            try:
                with open(f"/proc/{name}/cmdline", "rb") as fh:
                    cmdline = fh.read()
                with open(f"/proc/{name}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            if self.mark.encode() in cmdline and state not in (b"Z", b"X"):
                found.append(int(name))
        return found

    def survivors(self, patience: float = 3.0) -> list[int]:
        """What is still alive after ``patience`` seconds (killed, so the next trial starts clean)."""
        deadline = time.monotonic() + patience
        left = self.marked()
        while left and time.monotonic() < deadline:
            time.sleep(0.02)
            left = self.marked()
        for pid in left:
            with_suppressed(lambda pid=pid: os.kill(pid, signal.SIGKILL))
        return left


def ended(pid: int) -> bool:
    """Whether a command has ended (a zombie waiting for :meth:`Forker.wait`, or gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except OSError:
        return True


def children(pid: int) -> set[int]:
    """The children of ``pid`` (its main thread's)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return {int(p) for p in fh.read().split()}
    except OSError:
        return set()


def with_suppressed(fn) -> None:
    try:
        fn()
    except (ProcessLookupError, PermissionError):
        pass
