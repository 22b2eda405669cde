"""Run untrusted program text in a subprocess that cannot take the run down with it.

>>> from evoforge.isolation.program_sandbox import run_program
>>> r = run_program("def f(x):\\n    return 2 * x\\n",
...                 harness="def run(program, inputs):\\n    return program.f(inputs)\\n", inputs=21)
>>> r.ok, r.value
(True, 42)

Each call gets a fresh ``python -I`` process (:mod:`evoforge.isolation.program_driver`, in the core: the agent
runtime uses it too). Where bubblewrap works (:func:`evoforge.isolation.bwrap.probe`), that process runs inside
``bwrap``: its own user, pid, network, ipc,
uts and cgroup namespaces, uid 65534, the system and Python directories read-only, nothing else of the
host file system, a fresh ``/proc``, an empty environment, and a private size-limited tmpfs as its
working directory. When it ends, the kernel kills every process it started (pid namespace), ``setsid``
or not; it dies with its parent. Limits, in both modes:

- wall clock: the parent kills the sandbox at ``timeout`` seconds;
- CPU: ``RLIMIT_CPU`` (the kernel sends SIGXCPU, then SIGKILL);
- memory: ``RLIMIT_AS`` (allocations beyond it raise ``MemoryError``); where a memory cgroup can be
  made (:class:`evoforge.isolation.limits.MemoryCgroup`), the process tree also runs in one limited to
  ``memory_mb``, which counts files in memory and memfds too (over it the kernel kills the program:
  kind ``memory``) and measures the peak (``memory_peak_mb``); where not, the tmpfs mounts hold
  ``memory_mb`` of files in all, and ``memfd_create`` is refused (the guard; bwrap's seccomp filter for
  native code); files: ``RLIMIT_FSIZE``;
- stdout/stderr are captured up to ``max_output`` bytes each; a program printing more than
  ``output_limit`` bytes in all is killed;
- the result travels back over a dedicated pipe as JSON; the parent never imports or runs the program.

An audit hook additionally refuses process creation, signals, loading native libraries, raising limits,
writes outside the working directory and reading other processes' ``/proc`` entries. Behind bwrap it is
defence in depth. Without bwrap (not installed, or its probe fails: ``evoforge doctor`` says which) it
is the only guard, and it is not a security boundary: code running in CPython can get around it; then
the process runs in its own session with a fresh network namespace where the kernel allows one.
Results that matter (a circle packing, a bin assignment) should be validated by the caller, in the parent.

The program is executed as module ``program``; a *harness* (trusted code, also run inside the sandbox)
defines ``run(program, inputs)`` and returns a JSON-able value. Without a harness the value is ``None``
and the program's output is what counts.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from . import PROGRAM_DRIVER, bwrap, limits

_DRIVER_FILE = PROGRAM_DRIVER
_BOX = "/box"  # the program's writable directory inside bwrap
_INPUT = "/sandbox-input"  # its files, read-only, inside bwrap
_DRIVER_INSIDE = "/sandbox-driver.py"


@dataclass
class SandboxResult:
    """What came back. ``ok`` means the program and harness finished and returned ``value``;
    otherwise ``reason`` says why not (one line) and ``where`` points at lines of the program."""

    ok: bool
    value: Any = None
    reason: str | None = None
    kind: str = "ok"  # ok | error | timeout | cpu | memory | output | signal | exit | blocked | setup
    where: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    returncode: int | None = None
    network: str | None = None  # how network access was cut: bwrap, namespace, user-namespace or guard
    # the most memory the sandbox's process tree held at once (anonymous, files in memory, memfds, page
    # cache and kernel memory it caused), as its memory cgroup counted it; None without one
    memory_peak_mb: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def feedback(self, limit: int = 600) -> str:
        """A short text for a model: the reason, the program lines involved, the tail of stderr."""
        parts = [self.reason or "ok"]
        parts += self.where
        if self.stderr.strip() and not self.ok:
            parts.append("stderr: " + self.stderr.strip()[-300:])
        return "\n".join(parts)[:limit]


def run_program(
    source: str,
    harness: str | None = None,
    inputs: Any = None,
    *,
    timeout: float = 10.0,
    cpu_seconds: float | None = None,
    memory_mb: int | None = 1024,
    max_output: int = 16_384,
    output_limit: int = 4_000_000,
    network: bool = False,
    preload: tuple[str, ...] = ("numpy",),
    recursion: int = 3000,
) -> SandboxResult:
    """Run ``source`` (then ``harness.run(program, inputs)``) in a fresh sandboxed process.

    ``timeout``: wall-clock seconds before the process group is killed. ``cpu_seconds``: CPU limit
    (default: ``timeout``). ``memory_mb``: address-space limit of the process in MB (None: no limit).
    ``max_output``: bytes of stdout and of stderr kept. ``output_limit``: bytes printed in all beyond
    which the program is killed. ``preload``: modules imported before the guard is installed (numpy
    loads native code, which the guard refuses afterwards); only those the program or harness names
    are loaded (numpy costs ~0.1 s of start-up). Never raises for anything the program does.
    """
    start = time.perf_counter()
    box = tempfile.mkdtemp(prefix="evoforge-sandbox-")
    try:
        with open(os.path.join(box, "program.py"), "w") as fh:
            fh.write(source if isinstance(source, str) else str(source))
        if harness is not None:
            with open(os.path.join(box, "harness.py"), "w") as fh:
                fh.write(harness)
        if inputs is not None:
            with open(os.path.join(box, "inputs.json"), "w") as fh:
                json.dump(inputs, fh)
        status = bwrap.probe()
        if not status.available and not bwrap.inside_sandbox():
            warnings.warn(f"evoforge sandbox: {status.describe()}", RuntimeWarning, stacklevel=2)
        cfg = {
            "network": network,
            "preload": [m for m in preload if _names(m, source, harness)],
            "has_inputs": inputs is not None,
            "has_harness": harness is not None,
            "memory_mb": memory_mb,
            "cpu": cpu_seconds if cpu_seconds is not None else timeout,
            "recursion": recursion,
            "isolation": "bwrap" if status.available else "nested" if bwrap.inside_sandbox() else "guard",
            "input_dir": _INPUT if status.available else box,
        }
        return _execute(box, cfg, timeout, max_output, output_limit, start, status)
    finally:
        shutil.rmtree(box, ignore_errors=True)


def _names(module: str, *texts: Any) -> bool:
    """Whether any of ``texts`` mentions ``module``'s top-level name (so it may import it)."""
    pattern = re.compile(rf"\b{re.escape(module.split('.')[0])}\b")
    return any(isinstance(t, str) and pattern.search(t) for t in texts)


def _command(
    box: str, cfg: dict[str, Any], write_fd: int, status: bwrap.Status, seccomp: int | None = None
) -> tuple[list[str], dict, str]:
    """(argv, environment, working directory) of the driver process, bwrapped where possible
    (``seccomp``: a descriptor with bwrap's seccomp filter)."""
    work = _BOX if status.available else box
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": work,
        "TMPDIR": work,
        "PYTHONHASHSEED": "0",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if bwrap.inside_sandbox():
        env[bwrap.INSIDE_ENV] = "bwrap"
    if not status.available:
        return [sys.executable, "-I", _DRIVER_FILE, str(write_fd), json.dumps(cfg)], env, box
    argv = [sys.executable, "-I", _DRIVER_INSIDE, str(write_fd), json.dumps(cfg)]
    cmd = bwrap.command(
        argv,
        cwd=_BOX,
        env=env,
        tmpfs_mb=limits.tmpfs_mb(cfg["memory_mb"]),
        status=status,
        extra=[
            "--ro-bind",
            box,
            _INPUT,
            "--ro-bind",
            _DRIVER_FILE,
            _DRIVER_INSIDE,
            *(["--seccomp", str(seccomp)] if seccomp is not None else []),
        ],
    )
    return cmd, {}, box


def _execute(
    box: str,
    cfg: dict[str, Any],
    timeout: float,
    max_output: int,
    output_limit: int,
    start: float,
    status: bwrap.Status,
) -> SandboxResult:
    read_fd, write_fd = os.pipe()
    cgroup = limits.MemoryCgroup.create(cfg["memory_mb"])
    # without a memory cgroup, memfds would escape the limit: native code is refused them too (seccomp)
    seccomp = limits.seccomp_fd() if status.available and cgroup is None and cfg["memory_mb"] else None
    argv, env, cwd = _command(box, cfg, write_fd, status, seccomp)
    if cgroup is not None:
        argv = cgroup.wrap(argv)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,) if seccomp is None else (write_fd, seccomp),
            start_new_session=True,
            close_fds=True,
        )
    except OSError as err:
        os.close(read_fd)
        os.close(write_fd)
        if cgroup is not None:
            cgroup.close()
        return SandboxResult(False, reason=f"could not start the sandbox: {err}", kind="setup")
    finally:
        if seccomp is not None:
            os.close(seccomp)
    os.close(write_fd)
    try:
        return _supervise(proc, read_fd, cfg, timeout, max_output, output_limit, start, status, cgroup)
    finally:
        if cgroup is not None:
            cgroup.close()


def _supervise(
    proc: subprocess.Popen,
    read_fd: int,
    cfg: dict[str, Any],
    timeout: float,
    max_output: int,
    output_limit: int,
    start: float,
    status: bwrap.Status,
    cgroup: limits.MemoryCgroup | None,
) -> SandboxResult:
    buffers = {"stdout": bytearray(), "stderr": bytearray(), "result": bytearray()}
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
    result_file = os.fdopen(read_fd, "rb", buffering=0)
    sel.register(result_file, selectors.EVENT_READ, "result")
    printed, killed = 0, None
    deadline = start + timeout
    open_streams = 3
    try:
        while open_streams:
            left = deadline - time.perf_counter()
            if left <= 0:
                killed = ("timeout", f"timed out after {timeout:g}s (wall clock; process group killed)")
                break
            for key, _ in sel.select(timeout=min(left, 0.5)):
                chunk = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
                if not chunk:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                name = key.data
                if name == "result":
                    if len(buffers["result"]) + len(chunk) > 64 * 1024 * 1024:
                        killed = ("output", "result larger than 64 MB")
                        break
                    buffers["result"] += chunk
                    continue
                printed += len(chunk)
                room = max_output - len(buffers[name])
                if room > 0:
                    buffers[name] += chunk[:room]
                if printed > output_limit:
                    killed = ("output", f"printed more than {output_limit:,} bytes (output limit; killed)")
                    break
            if killed:
                break
            if proc.poll() is not None and open_streams and not sel.select(timeout=0):
                # the driver is gone; grandchildren may hold the pipes open: do not wait for them
                _drain_quiet(sel, buffers, max_output)
                break
    finally:
        limits.tear_down(proc, sel, (proc.stdout, proc.stderr, result_file))
    seconds = time.perf_counter() - start
    out = buffers["stdout"].decode("utf-8", "replace")
    err = buffers["stderr"].decode("utf-8", "replace")
    res = SandboxResult(False, stdout=out, stderr=err, seconds=seconds, returncode=proc.returncode)
    peak = cgroup.peak() if cgroup is not None else None
    res.memory_peak_mb = round(peak / (1024 * 1024), 1) if peak is not None else None
    if killed:
        res.kind, res.reason = killed
        return res
    message = None
    if buffers["result"]:
        try:
            message = json.loads(buffers["result"].decode("utf-8", "replace"))
        except ValueError:
            message = None
    code = proc.returncode
    if status.available and code is not None and code > 128:
        code = 128 - code  # bwrap exits with 128 + N when the program died of signal N
    if isinstance(message, dict):
        res.network = message.get("network")
    if not isinstance(message, dict):
        if cgroup is not None and cgroup.oom_killed():
            res.kind = "memory"
            res.reason = (
                f"out of memory: the program held more than its {cfg['memory_mb']} MB limit (memory, files "
                "and memfds together; the kernel killed it)"
            )
        elif code is not None and code < 0:
            sig = -code
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            if sig == signal.SIGXCPU or (sig == signal.SIGKILL and _cpu_exhausted(cfg, seconds)):
                res.kind, res.reason = "cpu", f"CPU time limit exceeded ({cfg['cpu']:g}s; {name})"
            else:
                what = {
                    "SIGSEGV": "segmentation fault",
                    "SIGBUS": "bus error",
                    "SIGABRT": "aborted",
                    "SIGFPE": "floating-point exception",
                    "SIGILL": "illegal instruction",
                }.get(name, "")
                res.kind, res.reason = "signal", f"killed by signal {name}{' (' + what + ')' if what else ''}"
        else:
            res.kind, res.reason = "exit", f"program ended the process (exit code {code}) before returning a result"
        return res
    status = message.get("status")
    if status == "ok":
        res.ok, res.kind, res.value = True, "ok", message.get("value")
        return res
    if status == "setup-error":
        res.kind, res.reason = "setup", f"sandbox setup failed: {message.get('error')}"
        return res
    reason = str(message.get("error") or "unknown error")
    res.where = [str(w) for w in message.get("where") or []][:3]
    if message.get("memory"):
        res.kind = "memory"
        reason = f"out of memory (MemoryError; limit {cfg['memory_mb']} MB)"
    elif "sandbox:" in reason:
        res.kind = "blocked"
    else:
        res.kind = "error"
    stage = message.get("stage")
    res.reason = reason if stage == "program" or res.kind != "error" else f"{reason} (while evaluating)"
    return res


def _cpu_exhausted(cfg: dict[str, Any], seconds: float) -> bool:
    return bool(cfg.get("cpu")) and seconds >= float(cfg["cpu"]) * 0.9


def _drain_quiet(sel: selectors.BaseSelector, buffers: dict[str, bytearray], max_output: int) -> bool:
    """After the driver exited: read what is already there (up to 0.2 s of quiet) and stop."""
    end = time.perf_counter() + 0.2
    while time.perf_counter() < end:
        events = sel.select(timeout=0.05)
        if not events:
            continue
        for key, _ in events:
            try:
                chunk = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
            except OSError:
                chunk = b""
            if not chunk:
                sel.unregister(key.fileobj)
                continue
            name = key.data
            room = (64 * 1024 * 1024 if name == "result" else max_output) - len(buffers[name])
            if room > 0:
                buffers[name] += chunk[:room]
            end = time.perf_counter() + 0.2
    return True
