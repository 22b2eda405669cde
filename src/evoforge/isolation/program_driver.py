"""The process that runs one untrusted program (started by :mod:`evoforge.isolation.program_sandbox`; not imported).
Its limits and audit hook are shared with the agent driver (``agents/driver.py``), which loads this file.

Run as ``python -I sandbox_driver.py RESULT_FD CONFIG_JSON`` with the program's files in
``config["input_dir"]``. It sets the resource limits, installs an audit hook (defence in depth behind
bwrap; the only guard where bwrap is unavailable), runs the program as module ``program`` in a fresh
module dict, then the harness, and writes one JSON message to RESULT_FD.

The hook keeps no state the program can reach: everything it uses is bound as default arguments
(immutable values and C functions, so patching ``os`` or ``builtins`` does not change it), nothing of
it stays in this module's globals or in ``main``'s locals, and the ways to find or change it from
Python (``gc.get_objects``/``get_referrers``/``get_referents``, assigning ``__code__``/``__defaults__``,
adding audit hooks) are refused.
"""

import json
import os
import sys
import time


class Blocked(PermissionError):
    """Raised by the guard; its message starts with ``sandbox:``."""


# modules the program may not import: they start processes or run code without audit events, or
# (_posixshmem) make shared memory in /dev/shm, outside the working directory and the memory limit
BLOCKED_MODULES = ("_posixsubprocess", "_posixshmem", "_xxsubinterpreters", "_testcapi", "_testinternalcapi")


def native_dirs() -> list:
    """Where the Python installation keeps its modules (extension modules may load from there only)."""
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    dirs = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    dirs += [paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    try:
        dirs += site.getsitepackages()
    except AttributeError:
        pass
    return [d for d in dirs if d]


def refuse_unaudited() -> None:
    """Take away what reaches the kernel without an audit event, before the program runs:

    - ``os.memfd_create``: a memfd's pages do not count against ``RLIMIT_AS`` (a program held 1.5 GB
      in them under a 64 MB limit); it has no audit event, so it is replaced here;
    - ``_posixsubprocess.fork_exec`` spawns processes without an audit event;
    - ``_imp.create_builtin`` makes a fresh copy of a built-in module (``posix`` with its original
      ``memfd_create``) without an audit event: every built-in module is loaded now, then it is refused.

    The guard refuses native loads from outside the Python installation (the ``import`` event of an
    extension module names its file) and ``ctypes.dlopen``/``dlsym``. A call through a ctypes function
    pointer raises no audit event at all (ctypes is loaded before the guard where numpy is): against
    native code, the limits that hold are the kernel's (the memory cgroup; bwrap's seccomp filter)."""

    def memfd_create(*args, **kwargs):
        raise Blocked("sandbox: memfd_create is not allowed (its memory would not count against the memory limit)")

    def fork_exec(*args, **kwargs):
        raise Blocked("sandbox: process creation and signals are not allowed (_posixsubprocess.fork_exec)")

    def create_builtin(*args, **kwargs):
        raise Blocked("sandbox: making a fresh copy of a built-in module is not allowed (_imp.create_builtin)")

    import posix

    for module in (os, posix):
        if hasattr(module, "memfd_create"):
            module.memfd_create = memfd_create
    try:
        import _posixsubprocess

        _posixsubprocess.fork_exec = fork_exec
    except ImportError:
        pass
    for name in sys.builtin_module_names:
        if name not in sys.modules and name not in BLOCKED_MODULES:
            try:
                __import__(name)
            except Exception:
                pass
    import _imp

    _imp.create_builtin = create_builtin


def make_guard(box: str, block_network: bool, protect: tuple = ()):
    """The audit hook for a program whose writable directory is ``box``; the code of the functions in
    ``protect`` (the driver's own) cannot be swapped either."""
    import stat
    import types

    def resolve(path, getcwd=os.getcwd, lstat=os.lstat, readlink=os.readlink, islnk=stat.S_ISLNK,
                OSError=OSError, reversed=reversed, len=len, list=list):  # fmt: skip
        """The absolute path with every symbolic link followed (like ``os.path.realpath``, but built
        only on C functions bound here, so the program cannot patch it)."""
        if not path.startswith("/"):
            path = getcwd() + "/" + path
        todo, out, hops = list(reversed(path.split("/"))), [], 0
        while todo:
            part = todo.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if out:
                    out.pop()
                continue
            current = "/" + "/".join(out + [part])
            try:
                mode = lstat(current).st_mode
            except OSError:
                out.append(part)
                continue
            if islnk(mode) and hops < 40:
                hops += 1
                target = readlink(current)
                if target.startswith("/"):
                    out = []
                todo.extend(reversed(target.split("/")))
            else:
                out.append(part)
        return "/" + "/".join(out)

    process = frozenset({
        "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
        "pty.spawn", "os.startfile", "os.kill", "os.killpg", "os.pidfd_open", "signal.pthread_kill",
    })  # fmt: skip
    native = frozenset({
        "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function",  # call_function: a raw call to any address
        "resource.setrlimit", "resource.prlimit", "sys.addaudithook",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    })  # fmt: skip
    network = frozenset({"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"})
    # event -> (indexes of path arguments, indexes of dir_fd arguments)
    path_events = {
        "os.remove": ((0,), (1,)),
        "os.rmdir": ((0,), (1,)),
        "os.mkdir": ((0,), (2,)),
        "os.rename": ((0, 1), (2, 3)),
        "os.replace": ((0, 1), (2, 3)),
        "os.chmod": ((0,), (2,)),
        "os.chown": ((0,), (3,)),
        "os.symlink": ((1,), (2,)),
        "os.link": ((0, 1), (2, 3)),
        "os.truncate": ((0,), ()),
        "os.utime": ((0,), (3,)),
        "shutil.rmtree": ((0,), (1,)),
        "shutil.copyfile": ((1,), ()),
        "shutil.move": ((1,), ()),
        "os.chflags": ((0,), ()),
        "os.setxattr": ((0,), ()),
        "os.removexattr": ((0,), ()),
        "os.mkfifo": ((0,), (2,)),
        "os.mknod": ((0,), (3,)),
    }
    modules = frozenset(BLOCKED_MODULES)
    # native code loads (the "import" event of an extension module, with its file) only from the Python
    # installation as it was before the program ran, never from the writable directory
    native_roots = tuple(sorted({resolve(d) for d in native_dirs() if d} - {"/"}))
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    own_proc = f"/proc/{os.getpid()}"

    def text(path, fspath=os.fspath, isinstance=isinstance, bytes=bytes, TypeError=TypeError):
        try:
            path = fspath(path)
        except TypeError:
            return None
        return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path

    def inside(path, box=box, resolve=resolve, text=text, isinstance=isinstance, int=int):
        if isinstance(path, int):
            return True  # an already open descriptor
        path = text(path)
        if path is None:
            return True
        real = resolve(path)
        return real == box or real.startswith(box + "/") or real == "/dev/null"

    def hook(
        event,
        args,
        resolve=resolve,
        text=text,
        inside=inside,
        process=process,
        native=native,
        network=network,
        path_events=types.MappingProxyType(path_events),
        modules=modules,
        native_roots=native_roots,
        writes=writes,
        own_proc=own_proc,
        block_network=block_network,
        Blocked=Blocked,
        isinstance=isinstance,
        len=len,
        str=str,
        int=int,
        any=any,
        getattr=getattr,
        guard_codes=(),
    ):
        if event in process:
            raise Blocked(f"sandbox: process creation and signals are not allowed ({event})")
        if event in native:
            raise Blocked(f"sandbox: {event} is not allowed")
        if block_network and event in network:
            raise Blocked(f"sandbox: network access is not allowed ({event})")
        if event == "import" and args and args[0] in modules:
            raise Blocked(f"sandbox: importing {args[0]} is not allowed")
        if event == "import" and len(args) > 1 and args[1] is not None:
            name = text(args[1])
            real = resolve(name) if name is not None else ""
            if inside(name) or not any(real.startswith(root + "/") for root in native_roots):
                raise Blocked(f"sandbox: loading native code from {args[1]!r} is not allowed")
        if (
            event == "object.__setattr__"
            and len(args) >= 2
            and args[1] in ("__code__", "__defaults__", "__kwdefaults__")
        ):
            code = getattr(args[0], "__code__", None)
            if any(code is c for c in guard_codes):
                raise Blocked(f"sandbox: changing the guard ({args[1]}) is not allowed")
        if event == "open" and len(args) >= 3:
            path, mode, flags = args[0], args[1], args[2]
            wants_write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & writes
            )
            name = text(path) if path is not None and not isinstance(path, int) else None
            if wants_write and path is not None:
                if mode is None and name is not None and not name.startswith("/"):
                    # os.open: a relative path may be relative to a dir_fd the event does not show
                    raise Blocked(f"sandbox: os.open for writing needs an absolute path ({name!r})")
                if not inside(path):
                    raise Blocked(f"sandbox: writing outside the sandbox directory is not allowed ({path!r})")
            if name is not None and name.startswith("/proc/"):
                real = resolve(name)
                parts = real.split("/")
                if len(parts) > 2 and parts[2].isdigit() and not (real + "/").startswith(own_proc + "/"):
                    raise Blocked(f"sandbox: reading other processes' /proc entries is not allowed ({name!r})")
        elif event in path_events:
            paths, dir_fds = path_events[event]
            for i in dir_fds:
                if i < len(args) and args[i] is not None and args[i] != -1:
                    raise Blocked(f"sandbox: {event} with dir_fd is not allowed")
            for i in paths:
                if i < len(args) and args[i] is not None and not inside(args[i]):
                    raise Blocked(f"sandbox: {event} outside the sandbox directory is not allowed ({args[i]!r})")

    codes = tuple(f.__code__ for f in (hook, resolve, text, inside, *protect))
    hook.__defaults__ = (*hook.__defaults__[:-1], codes)
    return hook


def describe(err: BaseException) -> str:
    for kind, text in ((MemoryError, "out of memory (MemoryError)"), (KeyboardInterrupt, "KeyboardInterrupt"),
                       (RecursionError, "RecursionError: maximum recursion depth exceeded")):  # fmt: skip
        if isinstance(err, kind):
            return text
    if isinstance(err, SystemExit):
        return f"program called exit({err.code})"
    if isinstance(err, PermissionError) and str(err).startswith("sandbox:"):
        return str(err)
    return f"{type(err).__name__}: {err}"


def where(err: BaseException) -> list:
    import traceback

    lines = []
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == "program.py":
            lines.append(f"program.py line {frame.lineno}, in {frame.name}: {(frame.line or '').strip()}")
    if isinstance(err, SyntaxError) and err.filename == "program.py":
        lines.append(f"program.py line {err.lineno}: {(err.text or '').strip()}")
    return lines[-3:]


def send(fd: int, obj: dict) -> None:
    data = json.dumps(obj, default=repr, allow_nan=True).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


def setup(cfg: dict) -> tuple:
    """Limits, network cut (fallback only), preloads; returns (source, harness source, inputs, network)."""
    import resource
    import signal

    isolation = cfg["isolation"]  # bwrap | nested (inside a bwrapped pool worker) | guard
    network = "bwrap" if isolation in ("bwrap", "nested") else "open"
    if isolation != "bwrap":
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        try:
            libc.prctl(1, signal.SIGKILL)  # die with the parent
        except Exception:
            pass
        if isolation == "guard" and not cfg["network"]:
            if libc.unshare(0x40000000) == 0:  # CLONE_NEWNET
                network = "namespace"
            elif libc.unshare(0x10000000 | 0x40000000) == 0:  # CLONE_NEWUSER | CLONE_NEWNET
                network = "user-namespace"
            else:
                network = "guard"
    for name in cfg["preload"]:
        try:
            __import__(name)
        except Exception:
            pass
    refuse_unaudited()

    def read(name: str) -> str:
        with open(os.path.join(cfg["input_dir"], name)) as fh:
            return fh.read()

    inputs = json.loads(read("inputs.json")) if cfg["has_inputs"] else None
    source, harness = read("program.py"), (read("harness.py") if cfg["has_harness"] else None)
    if cfg["memory_mb"]:
        lim = int(cfg["memory_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    if cfg["cpu"]:
        soft = max(1, round(cfg["cpu"] + resource.getrusage(resource.RUSAGE_SELF).ru_utime))
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    fsize = 512 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return source, harness, inputs, network


def main() -> None:
    fd, cfg, t0 = int(sys.argv[1]), json.loads(sys.argv[2]), time.perf_counter()
    try:
        source, harness_src, inputs, network = setup(cfg)
    except BaseException as err:
        send(fd, {"status": "setup-error", "error": f"{type(err).__name__}: {err}"})
        raise SystemExit(0) from None
    import types

    describe_, where_, send_ = describe, where, send  # locals: the program cannot rebind them
    sys.addaudithook(make_guard(os.path.realpath(os.getcwd()), network == "guard", (describe, where, send, main)))
    sys.setrecursionlimit(max(1000, int(cfg["recursion"])))
    import linecache

    for name, text in (("program.py", source), ("harness.py", harness_src)):
        if text is not None:  # error lines quote the failing source line (the files are not on the path)
            linecache.cache[name] = (len(text), None, text.splitlines(True), name)
    stage = "program"
    try:
        module = types.ModuleType("program")
        module.__file__ = "program.py"
        sys.modules["program"] = module
        exec(compile(source, "program.py", "exec"), module.__dict__)
        value = None
        if harness_src is not None:
            stage = "harness"
            namespace = {"__name__": "harness"}
            exec(compile(harness_src, "harness.py", "exec"), namespace)
            value = namespace["run"](module, inputs)
        msg = {"status": "ok", "value": value}
    except BaseException as err:
        msg = {"status": "error", "error": describe_(err)[:2000], "where": where_(err), "stage": stage,
               "memory": isinstance(err, MemoryError)}  # fmt: skip
    msg["network"], msg["seconds"] = network, time.perf_counter() - t0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    try:
        send_(fd, msg)
    except BaseException as err:
        error = f"result is not JSON-serialisable: {type(err).__name__}: {err}"[:500]
        send_(fd, {"status": "error", "error": error, "where": [], "stage": "result", "network": network})
    os._exit(0)


if __name__ == "__main__":
    main()
