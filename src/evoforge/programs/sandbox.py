"""Run untrusted program text in a subprocess that cannot take the run down with it.

>>> from evoforge.programs.sandbox import run_program
>>> r = run_program("def f(x):\\n    return 2 * x\\n", harness="def run(program, inputs):\\n    return program.f(inputs)\\n", inputs=21)
>>> r.ok, r.value
(True, 42)

Each call gets a fresh ``python -I`` process in its own session (process group) and its own temporary
directory as working directory. Limits:

- wall clock: the parent kills the whole process group at ``timeout`` seconds;
- CPU: ``RLIMIT_CPU`` (the kernel sends SIGXCPU, then SIGKILL);
- memory: ``RLIMIT_AS`` (allocations beyond it raise ``MemoryError``);
- network: a fresh network namespace (``unshare(CLONE_NEWNET)``, or with a user namespace where only
  that is allowed); where neither is allowed, socket creation is refused by an audit hook;
- an audit hook refuses process creation (``os.system``, ``fork``, ``subprocess``, ``exec``), signals
  to other processes, loading native libraries with ctypes, raising resource limits, and writes or
  deletions outside the temporary directory;
- stdout/stderr are captured up to ``max_output`` bytes each; a program printing more than
  ``output_limit`` bytes in all is killed;
- the result travels back over a dedicated pipe as JSON; the parent never imports or runs the program.

The audit hook is a guard, not a security boundary (code running in CPython can get around it); the
process limits and the killing of the process group are what bound the damage. Results that matter
(a circle packing, a bin assignment) should be validated by the caller, in the parent.

The program is executed as module ``program``; a *harness* (trusted code, also run inside the sandbox)
defines ``run(program, inputs)`` and returns a JSON-able value. Without a harness the value is ``None``
and the program's output is what counts.
"""
from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import limits

_DRIVER = r'''
import sys, os, json, time
_fd = int(sys.argv[1]); _cfg = json.loads(sys.argv[2])
_t0 = time.perf_counter()

def _send(obj):
    data = json.dumps(obj, default=repr, allow_nan=True).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(_fd, view):]
    os.close(_fd)

try:
    import ctypes, resource, signal
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # die with the parent
    except Exception:
        pass
    _net = "open"
    if not _cfg["network"]:
        _libc = ctypes.CDLL(None, use_errno=True)
        if _libc.unshare(0x40000000) == 0:  # CLONE_NEWNET
            _net = "namespace"
        elif _libc.unshare(0x10000000 | 0x40000000) == 0:  # CLONE_NEWUSER | CLONE_NEWNET
            _net = "user-namespace"
        else:
            _net = "guard"
    for _name in _cfg["preload"]:
        try:
            __import__(_name)
        except Exception:
            pass
    _box = os.path.realpath(os.getcwd())
    _inputs = None
    if _cfg["has_inputs"]:
        with open("inputs.json") as _fh:
            _inputs = json.load(_fh)
    with open("program.py") as _fh:
        _source = _fh.read()
    _harness_src = None
    if _cfg["has_harness"]:
        with open("harness.py") as _fh:
            _harness_src = _fh.read()
    if _cfg["memory_mb"]:
        _lim = int(_cfg["memory_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (_lim, _lim))
    if _cfg["cpu"]:
        _soft = max(1, int(round(_cfg["cpu"] + resource.getrusage(resource.RUSAGE_SELF).ru_utime)))
        resource.setrlimit(resource.RLIMIT_CPU, (_soft, _soft + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
except BaseException as _err:
    _send({"status": "setup-error", "error": f"{type(_err).__name__}: {_err}"})
    raise SystemExit(0)

class _Blocked(PermissionError):
    pass

_PROCESS = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
            "pty.spawn", "os.startfile", "os.kill", "os.killpg", "os.pidfd_open", "signal.pthread_kill"}
_NATIVE = {"ctypes.dlopen", "ctypes.dlsym", "resource.setrlimit", "resource.prlimit", "sys.addaudithook"}
_NETWORK = {"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
_PATH_EVENTS = {"os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "os.replace": (0, 1),
                "os.chmod": (0,), "os.chown": (0,), "os.symlink": (1,), "os.link": (1,), "os.truncate": (0,),
                "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.move": (1,),
                "os.chflags": (0,), "os.setxattr": (0,), "os.removexattr": (0,), "os.mkfifo": (0,),
                "os.mknod": (0,)}
_busy = [False]

def _inside(path):
    if isinstance(path, int):
        return True
    try:
        path = os.fsdecode(os.fspath(path))
    except TypeError:
        return True
    real = os.path.realpath(path)
    return real == _box or real.startswith(_box + os.sep) or real in ("/dev/null",)

def _hook(event, args):
    if _busy[0]:
        return
    _busy[0] = True
    try:
        if event in _PROCESS:
            raise _Blocked(f"sandbox: process creation and signals are not allowed ({event})")
        if event in _NATIVE:
            raise _Blocked(f"sandbox: {event} is not allowed")
        if _net == "guard" and event in _NETWORK:
            raise _Blocked(f"sandbox: network access is not allowed ({event})")
        if event == "open" and len(args) >= 3:
            path, mode, flags = args[0], args[1], args[2]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND))
            if writes and path is not None and not _inside(path):
                raise _Blocked(f"sandbox: writing outside the sandbox directory is not allowed ({path!r})")
        elif event in _PATH_EVENTS:
            for i in _PATH_EVENTS[event]:
                if i < len(args) and args[i] is not None and not _inside(args[i]):
                    raise _Blocked(f"sandbox: {event} outside the sandbox directory is not allowed ({args[i]!r})")
    finally:
        _busy[0] = False

import types, traceback
sys.addaudithook(_hook)
sys.setrecursionlimit(max(1000, int(_cfg["recursion"])))

def _describe(err):
    if isinstance(err, _Blocked):
        return str(err)
    if isinstance(err, MemoryError):
        return "out of memory (MemoryError)"
    if isinstance(err, RecursionError):
        return "RecursionError: maximum recursion depth exceeded"
    if isinstance(err, SystemExit):
        return f"program called exit({err.code})"
    if isinstance(err, KeyboardInterrupt):
        return "KeyboardInterrupt"
    return f"{type(err).__name__}: {err}"

def _where(err):
    lines = []
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == "program.py":
            lines.append(f"program.py line {frame.lineno}, in {frame.name}: {(frame.line or '').strip()}")
    if isinstance(err, SyntaxError) and err.filename == "program.py":
        lines.append(f"program.py line {err.lineno}: {(err.text or '').strip()}")
    return lines[-3:]

_stage = "program"
try:
    _mod = types.ModuleType("program")
    _mod.__file__ = "program.py"
    sys.modules["program"] = _mod
    exec(compile(_source, "program.py", "exec"), _mod.__dict__)
    _value = None
    if _harness_src is not None:
        _stage = "harness"
        _hns = {"__name__": "harness"}
        exec(compile(_harness_src, "harness.py", "exec"), _hns)
        _value = _hns["run"](_mod, _inputs)
    _msg = {"status": "ok", "value": _value}
except BaseException as _err:
    _msg = {"status": "error", "error": _describe(_err)[:2000], "where": _where(_err), "stage": _stage,
            "memory": isinstance(_err, MemoryError)}
_msg["network"] = _net
_msg["seconds"] = time.perf_counter() - _t0
try:
    sys.stdout.flush(); sys.stderr.flush()
except BaseException:
    pass
try:
    _send(_msg)
except BaseException as _err:
    _send({"status": "error", "error": f"result is not JSON-serialisable: {type(_err).__name__}: {_err}"[:500],
           "where": [], "stage": "result", "network": _net})
os._exit(0)
'''


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
    network: str | None = None  # how network access was cut: namespace, user-namespace or guard

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def feedback(self, limit: int = 600) -> str:
        """A short text for a model: the reason, the program lines involved, the tail of stderr."""
        parts = [self.reason or "ok"]
        parts += self.where
        if self.stderr.strip() and not self.ok:
            parts.append("stderr: " + self.stderr.strip()[-300:])
        return "\n".join(parts)[:limit]


def run_program(source: str, harness: str | None = None, inputs: Any = None, *, timeout: float = 10.0,
                cpu_seconds: float | None = None, memory_mb: int | None = 1024, max_output: int = 16_384,
                output_limit: int = 4_000_000, network: bool = False, preload: tuple[str, ...] = ("numpy",),
                recursion: int = 3000) -> SandboxResult:
    """Run ``source`` (then ``harness.run(program, inputs)``) in a fresh sandboxed process.

    ``timeout``: wall-clock seconds before the process group is killed. ``cpu_seconds``: CPU limit
    (default: ``timeout``). ``memory_mb``: address-space limit of the process in MB (None: no limit).
    ``max_output``: bytes of stdout and of stderr kept. ``output_limit``: bytes printed in all beyond
    which the program is killed. ``preload``: modules imported before the guard is installed (numpy
    loads native code, which the guard refuses afterwards). Never raises for anything the program does.
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
        cfg = {"network": network, "preload": list(preload), "has_inputs": inputs is not None,
               "has_harness": harness is not None, "memory_mb": memory_mb,
               "cpu": cpu_seconds if cpu_seconds is not None else timeout, "recursion": recursion}
        return _execute(box, cfg, timeout, max_output, output_limit, start)
    finally:
        shutil.rmtree(box, ignore_errors=True)


def _execute(box: str, cfg: dict[str, Any], timeout: float, max_output: int, output_limit: int,
             start: float) -> SandboxResult:
    read_fd, write_fd = os.pipe()
    env = {"PATH": "/usr/bin:/bin", "HOME": box, "TMPDIR": box, "PYTHONHASHSEED": "0", "LANG": "C.UTF-8",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-c", _DRIVER, str(write_fd), json.dumps(cfg)],
                                cwd=box, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, pass_fds=(write_fd,), start_new_session=True,
                                close_fds=True)
    except OSError as err:
        os.close(read_fd)
        os.close(write_fd)
        return SandboxResult(False, reason=f"could not start the sandbox: {err}", kind="setup")
    os.close(write_fd)
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
        limits.kill_group(proc.pid)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        sel.close()
        for stream in (proc.stdout, proc.stderr, result_file):
            try:
                stream.close()
            except OSError:
                pass
    seconds = time.perf_counter() - start
    out = buffers["stdout"].decode("utf-8", "replace")
    err = buffers["stderr"].decode("utf-8", "replace")
    res = SandboxResult(False, stdout=out, stderr=err, seconds=seconds, returncode=proc.returncode)
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
    if isinstance(message, dict):
        res.network = message.get("network")
    if not isinstance(message, dict):
        if code is not None and code < 0:
            sig = -code
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            if sig == signal.SIGXCPU or (sig == signal.SIGKILL and _cpu_exhausted(cfg, seconds)):
                res.kind, res.reason = "cpu", f"CPU time limit exceeded ({cfg['cpu']:g}s; {name})"
            else:
                what = {"SIGSEGV": "segmentation fault", "SIGBUS": "bus error", "SIGABRT": "aborted",
                        "SIGFPE": "floating-point exception", "SIGILL": "illegal instruction"}.get(name, "")
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
