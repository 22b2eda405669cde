"""Pool workers inside bubblewrap (``--sandbox``): a task's evaluator behind the operating-system boundary.

Design: each worker is one long-lived ``bwrap ... python -I -c <boot>`` process that loads the task
itself (from its reference and options) and serves chunks over a socket. Long-lived, because starting
a sandbox and importing numpy and the task costs a few hundred milliseconds, which per evaluation would
dominate cheap tasks; a timeout or crash kills the whole sandbox (its pid namespace) and starts a fresh
one, exactly like a forked worker. Genomes go in pickled (the parent's own data); outcomes come back as
JSON and are validated again here, so nothing the evaluator sends is unpickled or trusted.

Inside the sandbox the task sees: the system and Python directories and evoforge read-only; its task
file (or a task module's file and its packages' ``__init__.py``) and the files and folders it declares
in ``DATA_FILES``, each read-only at its own path and nothing else of the folder they are in; a private
tmpfs as working directory (and ``/tmp``), no network, no other process, none of the parent's environment.
A ``DATA_FILES`` entry is refused (one ConfigError line, before the run) where it resolves outside the
task file's folder, is or contains the home folder, the run key's folder or ``/tmp``, or is or contains a
socket, FIFO or device: a bind-mounted unix socket stays connectable from inside the sandbox.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import stat
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from evoforge.core.candidate import EvaluationError, parse_result
from evoforge.core.errors import ConfigError, TaskError
from evoforge.core.private_paths import exposes, private_paths, shared_paths
from evoforge.core.task import Task
from evoforge.isolation.evaluation import Outcome

from . import bwrap, limits

_MAX_MESSAGE = 64 * 1024 * 1024
_START_SECONDS = 120.0  # loading numpy and the task on a busy machine
_LOAD_MB = 512  # memory a worker may use to start (Python, numpy, the task) before its limit applies
_BOOT = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[2])['path']; "
    "from evoforge.isolation.sandbox_pool import main; main()"
)


def check_available(task: Task) -> None:
    """Refuse ``--sandbox`` where bwrap does not work, or for a task that cannot be loaded again."""
    status = bwrap.probe()
    if not status.available:
        raise ConfigError(f"--sandbox needs bubblewrap: {status.describe()} (run `evoforge doctor`)")
    try:
        json.dumps(task.options)
    except (TypeError, ValueError):
        raise ConfigError("--sandbox: task options must be JSON values (they are sent to the sandbox)") from None
    _task_location(task)


def _package_dir() -> str:
    """evoforge's own package folder (mounted read-only; an editable install's ``src`` is not)."""
    return str(Path(__file__).resolve().parents[1])


def _task_location(task: Task) -> tuple[str, list[str], list[str]]:
    """(reference to load inside, ``sys.path`` entries it needs, host paths to mount read-only). The
    mounts are the task file (a task module's file and its packages' ``__init__.py``) and its
    ``DATA_FILES``, never a folder they are in; built-in tasks need none (evoforge is mounted)."""
    if task.ref.endswith(".py") or Path(task.ref).is_file():
        path = os.path.abspath(task.ref)
        folder = os.path.dirname(path)
        return path, [folder], [path, *_data_mounts(task, folder)]
    file = getattr(task.module, "__file__", None)
    if not file:
        return task.ref, [], []
    file = os.path.abspath(file)
    folder, package = os.path.dirname(file), _package_dir()
    if file.startswith(package + os.sep):  # built-in: its data are inside the package, mounted already
        return task.ref, [], [p for p in _data_mounts(task, folder) if not p.startswith(package + os.sep)]
    entries = [os.path.abspath(p or ".") for p in sys.path]
    roots = [p for p in entries if file.startswith(p.rstrip(os.sep) + os.sep)]
    if not roots:
        raise ConfigError(f"--sandbox: cannot tell where task module {task.ref!r} lives")
    root = max(roots, key=len)
    mounts, above = [file], folder
    while above.startswith(root.rstrip(os.sep) + os.sep):  # the packages it is imported through
        init = os.path.join(above, "__init__.py")
        if os.path.isfile(init) and init != file:
            mounts.append(init)
        above = os.path.dirname(above)
    return task.ref, [root], [*mounts, *_data_mounts(task, folder)]


def _data_mounts(task: Task, folder: str) -> list[str]:
    """The host paths of the task's ``DATA_FILES`` (relative to ``folder``), each checked: it exists, stays
    inside ``folder`` once symlinks are resolved, exposes neither a private path (home folder, run key)
    nor ``/tmp``, and neither is nor contains a socket, FIFO or device. A failed check is a ConfigError."""
    base = os.path.realpath(folder)
    refused = [*private_paths(), *shared_paths()]
    out = []
    for entry in task.data_files:
        path = os.path.normpath(os.path.join(folder, entry))
        where = f"--sandbox: task {task.ref!r}: DATA_FILES entry {entry!r}"
        real = os.path.realpath(path)
        if not os.path.exists(real):
            raise ConfigError(f"{where} not found ({path})")
        if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
            raise ConfigError(f"{where} resolves to {real}, outside the task file's folder (a symlink?)")
        if exposes(real, refused):
            raise ConfigError(
                f"{where} would expose the home folder, the run key or /tmp ({real}); declare the files themselves"
            )
        special = _special_file(real)
        if special is not None:
            raise ConfigError(
                f"{where}: {special[0]} is a {special[1]}; sockets, FIFOs and devices are never mounted "
                "(a mounted socket stays connectable)"
            )
        out.append(path)
    return out


def _special_file(path: str) -> tuple[str, str] | None:
    """(path, what) of a socket, FIFO or device at or under ``path`` (symlinks are not followed: inside
    the sandbox they resolve against its own, bare file system), or None."""

    def kind(mode: int) -> str | None:
        for test, what in ((stat.S_ISSOCK, "socket"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "device")):
            if test(mode):
                return what
        return "device" if stat.S_ISBLK(mode) else None

    def unreadable(err: OSError) -> None:
        raise ConfigError(f"--sandbox: cannot check {err.filename} for sockets ({err.strerror})")

    what = kind(os.stat(path).st_mode)
    if what is not None:
        return path, what
    if not os.path.isdir(path):
        return None
    for top, dirs, files in os.walk(path, onerror=unreadable):
        for name in (*dirs, *files):
            full = os.path.join(top, name)
            what = kind(os.lstat(full).st_mode)
            if what is not None:
                return full, what
    return None


class SandboxedWorker:
    """One bwrapped worker process; the same interface as :class:`evoforge.run.pool.ForkedWorker`."""

    def __init__(self, task: Task, memory_mb: int | None, niceness: int = 0):
        ref, path, mounts = _task_location(task)
        package = _package_dir()
        spec = {"ref": ref, "options": task.options, "memory_mb": memory_mb, "path": [os.path.dirname(package), *path]}
        ours, theirs = socket.socketpair()
        argv = [sys.executable, "-I", "-c", _BOOT, str(theirs.fileno()), json.dumps(spec)]
        # memory: the worker's process tree runs in a memory cgroup where one can be made (its limit:
        # what the loaded worker holds plus memory_mb, set after the handshake); where not, memfd_create
        # and shmget are refused (seccomp) and the tmpfs mounts hold memory_mb of files in all
        self.memory_mb, self._oom = memory_mb, False
        self.cgroup = limits.MemoryCgroup.create(memory_mb + _LOAD_MB if memory_mb else None)
        seccomp = limits.seccomp_fd() if self.cgroup is None and memory_mb else None
        cmd = bwrap.command(
            argv,
            readable=(package, *mounts),
            env={"HOME": "/box", "TMPDIR": "/box"},
            tmpfs_mb=limits.tmpfs_mb(memory_mb),
            extra=["--seccomp", str(seccomp)] if seccomp is not None else None,
        )
        if niceness > 0 and shutil.which("nice"):
            cmd = ["nice", "-n", str(niceness), *cmd]
        if self.cgroup is not None:
            cmd = self.cgroup.wrap(cmd)
        try:
            self.process = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),) if seccomp is None else (theirs.fileno(), seccomp),
                start_new_session=True,
                env={},
            )
        except BaseException:
            self._release()
            raise
        finally:
            theirs.close()
            if seccomp is not None:
                os.close(seccomp)
        self.conn = Connection(ours.detach())
        self._handshake()
        usage = self.cgroup.usage() if self.cgroup is not None else None
        if self.cgroup is not None and usage is not None and memory_mb:
            self.cgroup.set_limit(usage + int(memory_mb) * 1024 * 1024)

    def _handshake(self) -> None:
        """Wait until the task is loaded inside, so start-up never counts against a timeout."""
        try:
            ready = self.conn.poll(_START_SECONDS) and json.loads(self.conn.recv_bytes(_MAX_MESSAGE))
        except (EOFError, OSError, ValueError):
            ready = None
        if isinstance(ready, dict) and ready.get("ready") is True:
            return
        self.kill()
        if isinstance(ready, dict) and "fatal" in ready:
            raise TaskError(f"task failed to load inside the sandbox: {str(ready['fatal'])[:500]}")
        raise TaskError(f"the sandboxed worker did not start within {_START_SECONDS:g}s ({self.failure()})")

    def send(self, genomes: list[Any] | None) -> None:
        self.conn.send_bytes(pickle.dumps(genomes))

    def recv(self) -> list[Outcome]:
        data = self.conn.recv_bytes(_MAX_MESSAGE)
        try:
            message = json.loads(data)
        except ValueError:
            raise EOFError("unreadable message from the sandboxed worker") from None
        return _outcomes(message)

    def alive(self) -> bool:
        return self.process.poll() is None

    def join(self, timeout: float) -> None:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return
        self._release()

    def kill(self) -> None:
        limits.kill_group(self.process.pid)  # bwrap dies; its pid namespace takes every process with it
        self.join(5)
        self.conn.close()

    def _release(self) -> None:
        """Remove the memory cgroup (once the worker is gone), remembering whether it ran out of memory."""
        if self.cgroup is not None:
            self._oom = self._oom or self.cgroup.oom_killed()
            self.cgroup.close()
            self.cgroup = None

    def failure(self) -> str:
        self.join(1)
        if self._oom or (self.cgroup is not None and self.cgroup.oom_killed()):
            return (
                f"out of memory: the evaluator held more than its {self.memory_mb} MB limit (memory, files "
                "and memfds together; the kernel killed the sandboxed worker)"
            )
        code = self.process.returncode
        if code is not None and code > 128 and code - 128 in signal.Signals._value2member_map_:
            code = 128 - code  # bwrap reports a child killed by signal N as 128 + N
        from evoforge.isolation.evaluation import exit_reason

        return exit_reason(code)


def _outcomes(message: Any) -> list[Outcome]:
    """Check the JSON outcomes a worker sent; anything malformed becomes a failure, never an error here."""
    if not isinstance(message, list):
        raise EOFError("malformed message from the sandboxed worker")
    out: list[Outcome] = []
    for item in message:
        try:
            parsed, reason, seconds = item
            seconds = float(seconds)
            if parsed is not None:
                parsed = parse_result(parsed)
                reason = None
            else:
                reason = str(reason)[:2000]
        except (TypeError, ValueError, EvaluationError) as err:
            parsed, reason, seconds = None, f"sandboxed evaluator sent a malformed result ({err})"[:300], 0.0
        out.append((parsed, reason, seconds))
    return out


def main() -> None:
    """Inside the sandbox: load the task and serve chunks on the socket given in argv."""
    from evoforge.core.task import load_task
    from evoforge.isolation.evaluation import serve

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(sys.argv[1]))
    spec = json.loads(sys.argv[2])
    try:
        task = load_task(spec["ref"], spec["options"])
    except BaseException as err:  # reported to the parent, which ends the run cleanly
        conn.send_bytes(json.dumps({"fatal": f"{type(err).__name__}: {err}"}).encode())
        return
    conn.send_bytes(b'{"ready": true}')

    def recv() -> Any:
        return pickle.loads(conn.recv_bytes())  # from the parent: trusted

    def send(outcomes: list[Outcome]) -> None:
        conn.send_bytes(json.dumps(outcomes, default=repr).encode())

    serve(recv, send, task, spec["memory_mb"])
