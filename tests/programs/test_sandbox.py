"""Hostile programs: each fails with its own reason, the caller goes on, total time stays bounded."""

import os
import socket
import threading
import time

import pytest

from evoforge.isolation.program_sandbox import run_program

HARNESS = "def run(program, inputs):\n    return program.f(inputs)\n"


def test_ok_value_and_output():
    r = run_program("def f(x):\n    print('hello')\n    return [x, x * 2]\n", HARNESS, inputs=3)
    assert r.ok and r.value == [3, 6] and r.stdout == "hello\n" and r.reason is None


def test_infinite_loop_is_killed_on_wall_clock():
    t = time.perf_counter()
    r = run_program("import time\nwhile True:\n    time.sleep(0.01)\n", timeout=1.5)
    assert not r.ok and r.kind == "timeout" and "timed out" in r.reason
    assert time.perf_counter() - t < 15  # the loop never ends: any bound shows the kill (room for a busy machine)


def test_busy_loop_hits_cpu_limit():
    # 1 s of CPU, however slowly a busy machine hands it out; the wall clock is far off
    r = run_program("while True:\n    pass\n", timeout=60, cpu_seconds=1)
    assert not r.ok and r.kind == "cpu" and "SIGXCPU" in r.reason


def test_20gb_allocation_is_refused():
    r = run_program("x = bytearray(20 * 1024 ** 3)\n", memory_mb=1024)
    assert not r.ok and r.kind == "memory" and "out of memory" in r.reason


def test_bounded_fork_storm_is_refused():
    r = run_program("import os\nfor _ in range(64):\n    os.fork()\n")
    assert not r.ok and r.kind == "blocked" and "os.fork" in r.reason


def test_subprocess_and_os_system_are_refused():
    r = run_program("import os\nos.system('touch /tmp/evoforge_pwned')\n")
    assert not r.ok and r.kind == "blocked" and "os.system" in r.reason
    assert not os.path.exists("/tmp/evoforge_pwned")
    r = run_program("import subprocess\nsubprocess.run(['true'])\n")
    assert not r.ok and r.kind == "blocked"


def test_socket_to_localhost_fails():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    server.settimeout(3)

    def accept():
        try:
            accepted.append(server.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    r = run_program(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n")
    thread.join()
    server.close()
    assert not r.ok and not accepted
    assert r.network in ("bwrap", "namespace", "user-namespace", "guard")
    assert "unreachable" in r.reason.lower() or "refused" in r.reason.lower() or "network" in r.reason.lower()


def test_write_outside_the_sandbox_dir_is_refused(tmp_path):
    target = tmp_path / "outside.txt"
    r = run_program(f"open({str(target)!r}, 'w').write('x')\n")
    assert not r.ok and r.kind == "blocked" and "outside" in r.reason and not target.exists()
    r = run_program(f"import os\nos.remove({str(tmp_path)!r})\n")
    assert not r.ok and r.kind == "blocked"
    # writing inside its own directory is fine
    r = run_program("open('scratch.txt', 'w').write('x')\nprint(open('scratch.txt').read())\n")
    assert r.ok and r.stdout == "x\n"


def test_ctypes_segfault_is_reported():
    r = run_program("import numpy, ctypes\nctypes.string_at(0)\n")  # numpy preloaded: ctypes is loaded
    assert not r.ok and r.kind == "signal" and "SIGSEGV" in r.reason


def test_only_named_modules_are_preloaded():
    r = run_program("import ctypes\n")  # numpy not named: not preloaded, so ctypes' native part is refused
    assert not r.ok and r.kind == "blocked"


def test_100mb_stdout_is_cut_and_bounded():
    t = time.perf_counter()
    r = run_program(
        "import sys\nchunk = 'x' * 1_000_000\nfor _ in range(100):\n    sys.stdout.write(chunk)\n",
        max_output=1000,
        output_limit=2_000_000,
    )
    assert not r.ok and r.kind == "output" and len(r.stdout) == 1000
    assert time.perf_counter() - t < 10


@pytest.mark.parametrize("no_bwrap", ["", "1"])
def test_exceptions_report_program_lines(no_bwrap, monkeypatch):
    """The failing line's text is quoted, inside bwrap and without it (repair prompts show it to the
    model; it was lost once when the files moved out of the working directory)."""
    monkeypatch.setenv("EVOFORGE_NO_BWRAP", no_bwrap)
    r = run_program("def f(x):\n    return 1 / 0\n", HARNESS, inputs=1)
    assert not r.ok and r.kind == "error" and "ZeroDivisionError" in r.reason
    assert any("line 2, in f: return 1 / 0" in w for w in r.where), r.where
    r = run_program("def f(:\n    pass\n")
    assert not r.ok and "SyntaxError" in r.reason


def test_exit_and_unserialisable_results():
    r = run_program("import os\nos._exit(3)\n")
    assert not r.ok and r.kind == "exit" and "3" in r.reason
    r = run_program("raise SystemExit(2)\n")
    assert not r.ok and "exit(2)" in r.reason
    r = run_program("def f(x):\n    return object()\n", HARNESS, inputs=1)
    assert r.ok and isinstance(r.value, str)  # repr'd rather than crashing


def test_kill_parent_is_refused():
    r = run_program("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    assert not r.ok and r.kind == "blocked"


def test_all_hostile_programs_in_bounded_time():
    programs = [
        "while True: pass",
        "x = bytearray(20 * 1024 ** 3)",
        "import os\nos.system('ls')",
        "import ctypes\nctypes.string_at(0)",
        "print('y' * 50_000_000)",
    ]
    t = time.perf_counter()
    results = [run_program(p, timeout=2, cpu_seconds=1, output_limit=1_000_000) for p in programs]
    assert all(not r.ok and r.reason for r in results)
    assert len({r.kind for r in results}) >= 4
    assert time.perf_counter() - t < 15
