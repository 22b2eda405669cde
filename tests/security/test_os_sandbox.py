"""Hostile programs through run_program: each is an attack that worked before bwrap and the hardened guard.
Most run twice: behind bwrap, and with the fallback guard alone (which must hold on its own for these)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from evoforge.isolation import bwrap
from evoforge.isolation.program_sandbox import run_program

pytestmark = pytest.mark.filterwarnings("ignore:evoforge sandbox")
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")

DISABLE_GUARD = """
import gc, os, sys
def neuter(space):
    if "_busy" in space:
        space["_busy"][0] = True
    for name in ("_net", "_box"):
        if name in space:
            space[name] = "/" if name == "_box" else "open"
for module in list(sys.modules.values()):
    neuter(getattr(module, "__dict__", {}))
for start in ("getframe", "traceback"):
    try:
        if start == "getframe":
            frame = sys._getframe()
        else:
            try:
                raise ValueError
            except ValueError as err:
                frame = err.__traceback__.tb_frame
        while frame is not None:
            neuter(frame.f_globals)
            neuter(frame.f_locals)
            for value in list(frame.f_locals.values()):
                if callable(value) and hasattr(value, "__code__"):
                    try:
                        value.__code__ = (lambda *a: None).__code__
                    except Exception:
                        pass
            frame = frame.f_back
    except Exception:
        pass
try:
    for obj in gc.get_objects():
        if callable(obj) and hasattr(obj, "__defaults__"):
            try:
                obj.__code__ = (lambda *a, **k: None).__code__
            except Exception:
                pass
except Exception:
    pass
os.system("touch {marker}")
"""


def test_disabling_the_guard_through_its_state_fails(isolation, tmp_path):
    marker = tmp_path / "pwned"
    r = run_program(DISABLE_GUARD.replace("{marker}", str(marker)))
    assert not marker.exists()
    assert not r.ok and r.kind == "blocked" and "os.system" in r.reason, r


def test_os_open_with_dir_fd_cannot_write_outside(isolation, tmp_path):
    r = run_program(
        f"import os\nfd = os.open({str(tmp_path)!r}, os.O_RDONLY)\n"
        "w = os.open('pwned', os.O_WRONLY | os.O_CREAT, dir_fd=fd)\nos.write(w, b'x')\n"
    )
    assert not r.ok and not (tmp_path / "pwned").exists(), r


def test_hard_link_cannot_reach_a_file_outside(isolation, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    r = run_program(f"import os\nos.link({str(victim)!r}, 'inside')\nopen('inside', 'w').write('pwned')\n")
    assert not r.ok and victim.read_text() == "original", r


def test_posixsubprocess_fork_exec_is_refused(isolation, tmp_path):
    marker = tmp_path / "spawned"
    program = (
        "import os, _posixsubprocess\nr, w = os.pipe()\n"
        f"pid = _posixsubprocess.fork_exec([b'/bin/sh', b'-c', b'touch {marker}'], [b'/bin/sh'], True, (w,),"
        " None, None, -1, -1, -1, -1, -1, -1, r, w, False, True, -1, None, None, None, -1, None, False)\n"
        "os.waitpid(pid, 0)\n"
    )
    r = run_program(program)
    time.sleep(0.2)
    assert not r.ok and not marker.exists(), r


def test_parent_environment_is_not_readable(isolation):
    """The secret lives in the initial environment of the process that calls run_program."""
    program = (
        "import os\nfound = []\n"
        "for p in [*os.listdir('/proc'), str(os.getppid()), str(PARENT)]:\n"
        "    try:\n"
        "        found.append(open('/proc/%s/environ' % p, 'rb').read())\n"
        "    except Exception:\n"
        "        pass\n"
        "print(b'sekret' in b''.join(found))\n"
    )
    caller = (
        "import json, os, sys\nfrom evoforge.isolation.program_sandbox import run_program\n"
        "r = run_program('PARENT = %d\\n' % os.getpid() + sys.argv[1])\n"
        "print(json.dumps({'ok': r.ok, 'stdout': r.stdout, 'reason': r.reason}))\n"
    )
    env = {**os.environ, "EVOFORGE_API_KEY": "sekret", "OPENAI_API_KEY": "sekret"}
    out = subprocess.run([sys.executable, "-c", caller, program], env=env, capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["stdout"].strip() == "False", result


def test_a_setsid_child_does_not_outlive_the_call(isolation, tmp_path):
    marker = tmp_path / "outlived"
    program = (
        "import os, subprocess, _posixsubprocess\n"
        f"cmd = 'sleep 1; touch {marker}'\n"
        "for attempt in (lambda: subprocess.Popen(['sh', '-c', cmd], start_new_session=True),\n"
        "                lambda: os.system('setsid sh -c \"%s\" &' % cmd),\n"
        "                lambda: os.posix_spawn('/bin/sh', ['sh', '-c', cmd], {})):\n"
        "    try:\n"
        "        attempt()\n"
        "    except Exception:\n"
        "        pass\n"
    )
    run_program(program)
    time.sleep(1.5)
    assert not marker.exists()


@needs_bwrap
def test_pid_namespace_kills_setsid_children_when_the_sandbox_ends(tmp_path):
    """The boundary itself, without the guard: a setsid'd shell must die with the sandbox."""
    status = bwrap.probe()
    if not status.available:
        pytest.skip(status.detail)
    cmd = bwrap.command(
        ["/bin/sh", "-c", "setsid sh -c 'sleep 1; echo x > /box/outlived' & echo started"], writable=str(tmp_path)
    )
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "started", out.stderr
    time.sleep(1.5)
    assert not (tmp_path / "outlived").exists()


@needs_bwrap
def test_files_outside_the_sandbox_are_not_readable(tmp_path):
    bwrap.probe.cache_clear()
    secret = tmp_path / "secret.txt"
    secret.write_text("topsecret")
    r = run_program(f"print(open({str(secret)!r}).read())\n")
    assert not r.ok and "topsecret" not in r.stdout and "FileNotFoundError" in r.reason, r
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    seen = run_program(f"import os\nprint([os.path.exists(p) for p in ({str(tmp_path)!r}, {repo!r}, '/home')])\n")
    assert seen.ok and seen.stdout.strip() == "[False, False, False]", seen


@needs_bwrap
def test_network_is_a_fresh_namespace(tmp_path):
    bwrap.probe.cache_clear()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(3)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(_accept(server)))
    thread.start()
    port = server.getsockname()[1]
    r = run_program(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n")
    thread.join()
    server.close()
    assert accepted == [None] and not r.ok and r.network == "bwrap"
    assert "refused" in r.reason.lower() or "unreachable" in r.reason.lower(), r


def _accept(server):
    try:
        return server.accept()
    except OSError:
        return None
