"""Resource limits for evaluations that run in a process of their own, and the one teardown of a
sandboxed process (:func:`tear_down`) that the program and agent sandboxes share.

Memory beyond ``RLIMIT_AS``: the address-space limit does not count pages a process holds without
mapping them (files it wrote into a tmpfs, ``memfd_create`` files, System V shared memory). Where a
memory cgroup can be made (:class:`MemoryCgroup`), a sandbox's whole process tree runs in one whose
limit counts all of these together; where not, the sandboxes cap their tmpfs mounts
(:func:`tmpfs_mb`), the program guard refuses ``memfd_create``, and :func:`seccomp_fd` gives bwrap a
filter that refuses ``memfd_create`` and ``shmget`` to native code as well.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import os
import platform
import resource
import signal
import struct
import subprocess
import time
from collections.abc import Iterable, Iterator
from typing import Any

_MB = 1024 * 1024
NO_CGROUP_ENV = "EVOFORGE_NO_CGROUP"  # set: never use a memory cgroup (tests, machines where it misbehaves)


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


def tmpfs_mb(memory_mb: int | None) -> int:
    """MB of files a sandbox may keep in memory, all its tmpfs mounts together (``bwrap.command``
    splits them): its memory limit, at most 1 GiB; 256 MB without a limit."""
    return max(4, min(1024, int(memory_mb))) if memory_mb else 256


class MemoryCgroup:
    """A memory cgroup of its own for one sandbox's process tree (cgroup v2 ``memory.max``, or v1
    ``memory.limit_in_bytes``). It counts everything the tree holds: anonymous memory, tmpfs and memfd
    pages, page cache and kernel memory it caused; swap is not allowed past the limit either. Above
    the limit the kernel reclaims what it can, then kills a process in the tree (only there).

    ``create`` gives None where no cgroup can be made here (then the callers rely on the tmpfs caps
    and the memfd refusals). The tree enters the cgroup before anything runs: :meth:`wrap` starts the
    command through ``/bin/sh``, which moves itself into the cgroup and then ``exec``s it."""

    _names = itertools.count()

    def __init__(self, path: str, version: int):
        self.path, self.version = path, version
        self._closed = False

    @classmethod
    def create(cls, limit_mb: float | None) -> MemoryCgroup | None:
        """A fresh cgroup limited to ``limit_mb`` MB, or None (no limit asked, none available here)."""
        if not limit_mb or os.environ.get(NO_CGROUP_ENV):
            return None
        found = _cgroup_parent()
        if found is None:
            return None
        version, parent = found
        path = os.path.join(parent, f"evoforge-{os.getpid()}-{next(cls._names)}")
        try:
            os.mkdir(path)
        except OSError:
            return None
        group = cls(path, version)
        try:
            group.set_limit(int(limit_mb * _MB))
        except OSError:
            group.close()
            return None
        return group

    def _file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def _write(self, name: str, value: str) -> None:
        with open(self._file(name), "w") as fh:
            fh.write(value)

    def _read(self, name: str) -> str | None:
        try:
            with open(self._file(name)) as fh:
                return fh.read()
        except OSError:
            return None

    def set_limit(self, nbytes: int) -> None:
        """Set the limit (memory and memory + swap alike)."""
        if self.version == 2:
            self._write("memory.max", str(nbytes))
            for name, value in (("memory.swap.max", "0"), ("memory.oom.group", "1")):
                with contextlib.suppress(OSError):
                    self._write(name, value)
            return
        # v1: memory + swap may not be below memory, so raise memsw first when growing, last when shrinking
        current = self._read("memory.limit_in_bytes")
        order = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
        if current is not None and current.strip().isdigit() and nbytes > int(current):
            order.reverse()
        for name in order:
            if name == "memory.limit_in_bytes":
                self._write(name, str(nbytes))
            else:
                with contextlib.suppress(OSError):
                    self._write(name, str(nbytes))

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started inside this cgroup (``/bin/sh`` moves itself in, then ``exec``s it)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', self._file("cgroup.procs"), *argv]

    def usage(self) -> int | None:
        """Bytes charged now."""
        text = self._read("memory.current" if self.version == 2 else "memory.usage_in_bytes")
        return int(text) if text and text.strip().isdigit() else None

    def peak(self) -> int | None:
        """The most bytes charged at any one time (None where the kernel does not keep it: v2 before 5.19)."""
        text = self._read("memory.peak" if self.version == 2 else "memory.max_usage_in_bytes")
        return int(text) if text and text.strip().isdigit() else None

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the tree for going over the limit."""
        text = self._read("memory.events" if self.version == 2 else "memory.oom_control") or ""
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value) > 0
        return False

    def close(self) -> None:
        """Remove the cgroup once its processes are gone (they may take a moment to exit)."""
        if self._closed:
            return
        for _ in range(100):
            try:
                os.rmdir(self.path)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)
        self._closed = True


def _cgroup_parent() -> tuple[int, str] | None:
    """(version, directory) where this process may make memory cgroups and move processes into them."""
    if os.environ.get(NO_CGROUP_ENV):
        return None
    return _find_cgroup_parent()


@functools.lru_cache(maxsize=1)
def _find_cgroup_parent() -> tuple[int, str] | None:
    try:
        with open("/proc/self/cgroup") as fh:
            own = [parts for parts in (line.rstrip("\n").split(":", 2) for line in fh) if len(parts) == 3]
        with open("/proc/self/mountinfo") as fh:
            mounts = fh.read().splitlines()
    except OSError:
        return None
    candidates: list[tuple[int, str]] = []
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields, kind = left.split(), right.split()
        if len(fields) < 5 or len(kind) < 3:
            continue
        root, point = _unescape(fields[3]), _unescape(fields[4])
        if kind[0] == "cgroup2":
            paths, version = [p for h, c, p in own if h == "0" and c == ""], 2
        elif kind[0] == "cgroup" and "memory" in kind[2].split(","):
            paths, version = [p for _, c, p in own if "memory" in c.split(",")], 1
        else:
            continue
        for path in paths:
            if path != root and not path.startswith(root.rstrip("/") + "/"):
                continue
            here = os.path.normpath(os.path.join(point, os.path.relpath(path, root)))
            dirs = [here]
            if version == 2:  # v2 lets no cgroup with processes delegate memory: try beside this one too
                parent = os.path.dirname(here)
                if parent.startswith(point) and parent != here:
                    dirs.append(parent)
            candidates += [(version, d) for d in dirs]
    candidates.sort(key=lambda c: -c[0])  # v2 first
    for version, directory in candidates:
        if version == 2 and not _has_memory(directory):
            continue
        if _usable(version, directory):
            _sweep(directory)
            return version, directory
    return None


def _unescape(text: str) -> str:
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def _has_memory(directory: str) -> bool:
    try:
        with open(os.path.join(directory, "cgroup.subtree_control")) as fh:
            return "memory" in fh.read().split()
    except OSError:
        return False


def _usable(version: int, directory: str) -> bool:
    """Make a trial cgroup there, limit it and move a shell into it."""
    trial = MemoryCgroup(os.path.join(directory, f"evoforge-{os.getpid()}-probe"), version)
    try:
        os.mkdir(trial.path)
    except OSError:
        return False
    try:
        trial.set_limit(64 * _MB)
        res = subprocess.run(
            trial.wrap(["/bin/sh", "-c", "exit 0"]), stdin=subprocess.DEVNULL, capture_output=True, timeout=10
        )
        return res.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        trial.close()


def _sweep(directory: str) -> None:
    """Remove cgroups a killed evoforge process left behind there (empty ones only; the kernel refuses others)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "evoforge" and parts[1].isdigit() and not _alive(int(parts[1])):
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(directory, name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# seccomp: memfd_create and System V shmget return EPERM (used where there is no memory cgroup)
_AUDIT_ARCH = {  # machine -> [(AUDIT_ARCH_*, syscall numbers refused for that ABI)]
    "x86_64": [
        (0xC000003E, (319, 29, 0x40000000 | 319, 0x40000000 | 29)),  # x86-64 and x32: memfd_create, shmget
        (0x40000003, (356, 395, 117)),  # i386: memfd_create, shmget, ipc (shmget's old entry point)
    ],
    "aarch64": [(0xC00000B7, (279, 194)), (0x40000028, (385, 307))],  # arm64; 32-bit arm: memfd_create, shmget
}


def seccomp_filter() -> bytes | None:
    """A classic-BPF seccomp program (``struct sock_filter[]``) for bwrap's ``--seccomp``: on this
    machine's syscall ABIs, ``memfd_create`` and ``shmget`` fail with EPERM, all else is allowed.
    None on machines whose numbers are not known here."""
    arches = _AUDIT_ARCH.get(platform.machine())
    if not arches:
        return None
    load, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    allow, errno_eperm = 0x7FFF0000, 0x00050000 | 1
    prog: list[tuple[int, int, int, int]] = []
    refuse: list[int] = []  # indexes of the jumps to the final "refuse"
    for arch, numbers in arches:
        prog += [(load, 0, 0, 4), (jeq, 0, len(numbers) + 2, arch), (load, 0, 0, 0)]  # seccomp_data.arch, .nr
        for nr in numbers:
            refuse.append(len(prog))
            prog.append((jeq, 0, 0, nr))
        prog.append((ret, 0, 0, allow))
    prog.append((ret, 0, 0, allow))
    prog.append((ret, 0, 0, errno_eperm))
    end = len(prog) - 1
    for i in refuse:
        code, _, jf, k = prog[i]
        prog[i] = (code, end - i - 1, jf, k)
    return b"".join(struct.pack("=HBBI", *p) for p in prog)


def seccomp_fd() -> int | None:
    """A descriptor to read :func:`seccomp_filter` from (for ``bwrap --seccomp FD``; pass it to the
    child and close it after starting it), or None."""
    data = seccomp_filter()
    if data is None:
        return None
    read, write = os.pipe()
    try:
        os.write(write, data)
    finally:
        os.close(write)
    return read
