"""The operating-system boundary around untrusted code: bubblewrap (``bwrap``) command lines and a
one-time probe of whether they work here.

A sandbox made by :func:`command` has its own user, pid, network, ipc, uts and cgroup namespaces
(``--unshare-all``), runs as uid/gid 65534 inside its user namespace, sees the system directories and
the Python installation read-only, a fresh ``/proc`` (only its own processes), a minimal ``/dev``, an
empty environment apart from what the caller sets, and one writable directory. When its first process
ends, the pid namespace ends and the kernel kills every process left in it (``setsid`` or not);
``--die-with-parent`` ends it when the process that started it dies.

Where namespaces are not available (no ``bwrap``, or the probe fails), :func:`status` says so and the
callers fall back to the in-process guard, which is not a security boundary.
"""

from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass

from evoforge.core.private_paths import exposes, private_paths, shared_paths

INSIDE_ENV = "EVOFORGE_SANDBOX"  # set inside a sandbox: code there is already behind the boundary
SANDBOX_UID = 65534
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
_BASE_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    INSIDE_ENV: "bwrap",
}


@dataclass(frozen=True)
class Status:
    """Which isolation is in force: ``available`` with the bwrap ``version``, or why not (``detail``)."""

    available: bool
    version: str = ""
    detail: str = ""
    size_option: bool = False  # bwrap >= 0.8: --size for the tmpfs, --disable-userns
    path: str = "bwrap"  # the executable, absolute once found (the sandbox is started with an empty environment)

    def describe(self) -> str:
        if self.available:
            return f"bwrap {self.version}: namespaces (user, pid, net, ipc, uts, cgroup), read-only file system"
        return f"fallback: Python guard only -- not a security boundary ({self.detail})"


def inside_sandbox() -> bool:
    """True when this process already runs inside an evoforge bwrap sandbox."""
    return os.environ.get(INSIDE_ENV) == "bwrap"


def python_dirs() -> list[str]:
    """Directories the sandboxed Python needs to read: its prefixes, stdlib, site-packages, the folder of
    its executable and of libpython. A folder that would expose a private path (the home folder, the run
    key or its folder: :func:`evoforge.core.private_paths.private_paths`) is left out, so a Python
    installed right in the home folder (``--prefix=$HOME``) is mounted as its exact folders only; one
    inside another is mounted once, as the outer one."""
    paths = sysconfig.get_paths()
    dirs = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
        *(paths.get(name, "") for name in ("stdlib", "platstdlib", "purelib", "platlib")),
        sysconfig.get_config_var("LIBDIR") or "",
    }
    dirs.update(site.getsitepackages())
    protected = private_paths()
    kept = sorted(d for d in dirs if d and os.path.isdir(d) and not exposes(d, protected))
    return [d for d in kept if not any(d.startswith(outer.rstrip("/") + "/") for outer in kept if outer != d)]


def command(
    argv: list[str],
    *,
    writable: str | None = None,
    readable: tuple[str, ...] = (),
    cwd: str = "/box",
    env: dict[str, str] | None = None,
    tmpfs_mb: int = 256,
    status: Status | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` sandboxed. ``writable``: a host directory mounted
    read-write at ``cwd`` (None: a private tmpfs there); ``tmpfs_mb``: MB of files the tmpfs mounts hold
    in all (half at ``cwd``, a quarter each at ``/tmp`` and ``/dev/shm``); ``readable``: further host
    paths visible read-only at the same place (files or directories); ``env``: variables besides a
    minimal PATH/LANG; ``extra``: more bwrap options (mounts), placed after the standard ones. A
    ``readable`` path that is or contains the home folder, the run key's folder or /tmp is refused
    (ValueError); bind-mounted sockets stay connectable, so callers mount single files and checked folders."""
    status = status or probe()
    cmd = [
        status.path,
        "--unshare-all",
        "--unshare-user",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--cap-drop",
        "ALL",
    ]
    if status.size_option:
        cmd.append("--disable-userns")
    for name, value in {**_BASE_ENV, **(env or {})}.items():
        cmd += ["--setenv", name, value]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    # files in memory: the tmpfs mounts share tmpfs_mb (cwd half, /tmp and /dev/shm a quarter each)
    quarter = max(1, tmpfs_mb // 4)
    cmd += ["--proc", "/proc", "--dev", "/dev", *_tmpfs(status, quarter, "/dev/shm"), *_tmpfs(status, quarter, "/tmp")]
    refused = [*private_paths(), *shared_paths()]
    for path in readable:  # the callers check these with their own words first; this is the last line
        if exposes(path, refused):
            raise ValueError(f"refusing to mount {path}: it is or contains the home folder, the run key or /tmp")
    for path in [*python_dirs(), *readable]:  # after /tmp, so that a task file under /tmp stays visible
        if os.path.exists(path) and not any(path == d or path.startswith(d + "/") for d in _SYSTEM_DIRS):
            cmd += ["--ro-bind", path, path]
    if writable is not None:
        cmd += ["--bind", writable, cwd]
    else:
        cmd += _tmpfs(status, max(1, tmpfs_mb - 2 * quarter), cwd)
    cmd += [*(extra or []), "--chdir", cwd, "--", *argv]
    return cmd


def _tmpfs(status: Status, mb: int, dest: str) -> list[str]:
    """A private tmpfs at ``dest`` holding at most ``mb`` MB (bwrap >= 0.8; older ones cannot cap it)."""
    return (["--size", str(mb * 1024 * 1024)] if status.size_option else []) + ["--tmpfs", dest]


@functools.lru_cache(maxsize=1)
def probe() -> Status:
    """Run ``python -c`` once inside a full sandbox; cached for the life of the process.
    ``EVOFORGE_NO_BWRAP=1`` forces the fallback (for tests and for machines where bwrap misbehaves)."""
    if os.environ.get("EVOFORGE_NO_BWRAP"):
        return Status(False, detail="EVOFORGE_NO_BWRAP is set")
    if inside_sandbox():
        return Status(False, detail="already inside an evoforge bwrap sandbox, which is the boundary")
    exe = shutil.which("bwrap")
    if exe is None:
        return Status(False, detail="bwrap not found; install the bubblewrap package")
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
        version = out.stdout.strip().split()[-1] if out.stdout.strip() else "?"
    except (OSError, subprocess.SubprocessError) as err:
        return Status(False, detail=f"bwrap --version failed: {err}")
    size_option = _at_least(version, (0, 8))
    trial = Status(True, version, size_option=size_option, path=exe)
    check = [
        sys.executable,
        "-I",
        "-c",
        f"import os; assert os.getuid() == {SANDBOX_UID} and os.getpid() <= 3; print('ok')",
    ]
    try:
        res = subprocess.run(
            command(check, status=trial), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL, env={}
        )
    except (OSError, subprocess.SubprocessError) as err:
        return Status(False, version, detail=f"bwrap probe failed: {err}")
    if res.returncode != 0 or res.stdout.strip() != "ok":
        why = (res.stderr.strip().splitlines() or [f"exit code {res.returncode}"])[-1]
        return Status(False, version, detail=f"bwrap probe failed: {why[:200]}")
    return trial


def _at_least(version: str, wanted: tuple[int, ...]) -> bool:
    try:
        return tuple(int(x) for x in version.split(".")[:2]) >= wanted
    except ValueError:
        return False
