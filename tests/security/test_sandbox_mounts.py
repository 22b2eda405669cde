"""What a --sandbox evaluator and a sandboxed program can see of the host file system: the task file and
its declared DATA_FILES, never the folder they are in (sockets, siblings, /tmp), never the run key."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading

import pytest

from evoforge import Candidate, RunStore, load_task
from evoforge.core.errors import ConfigError, TaskError
from evoforge.isolation import bwrap
from evoforge.isolation.program_sandbox import run_program
from evoforge.run.pool import ProcessPoolExecutor
from evoforge.store import runkey

pytestmark = [
    pytest.mark.filterwarnings("ignore:evoforge sandbox"),
    pytest.mark.skipif(not bwrap.probe().available, reason="bwrap unavailable"),
]

PEEK = """
import os
SEED = [0.0, 0.0]
{declare}
HERE = {here!r}

def attempt(fn):
    try:
        return fn()
    except OSError as err:
        return type(err).__name__

def evaluate(genome):
    return {{"score": 1.0, "metrics": {{name: attempt(fn) for name, fn in PEEKS.items()}}}}

PEEKS = {{{peeks}}}
"""


def peek_task(folder, peeks, declare="", name="task.py"):
    """Write a task file in ``folder`` whose metrics are the outcome of each ``name: expression``."""
    path = folder / name
    text = PEEK.format(
        declare=declare, here=str(folder), peeks=", ".join(f"{k!r}: lambda: {v}" for k, v in peeks.items())
    )
    path.write_text(textwrap.dedent(text))
    return str(path)


def evaluate_sandboxed(task_path):
    task = load_task(task_path)
    pool = ProcessPoolExecutor(task, workers=1, timeout=30, memory_mb=512, sandbox=True)
    try:
        (cand,) = pool.evaluate([Candidate(genome=[0.0, 0.0], id=0)])
    finally:
        pool.close()
    assert cand.ok, cand.reason
    return cand.metrics


@pytest.fixture
def fake_home(tmp_path_factory, monkeypatch):
    """A home folder of its own, with the run key where runkey puts it by default (~/.config/evoforge)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("EVOFORGE_KEY_FILE", raising=False)
    key = runkey.load_key(create=True)
    assert runkey.key_path() == home / ".config" / "evoforge" / "run-key"
    return home, key


def test_a_sandboxed_evaluator_cannot_read_the_run_key_in_home(fake_home, tmp_path):
    """The task file right in the home folder: the run's stored metrics never hold the key."""
    home, key = fake_home
    key_file = home / ".config" / "evoforge" / "run-key"
    task = peek_task(
        home,
        {"key": f"open({str(key_file)!r}, 'rb').read().hex()", "config": f"os.listdir({str(home / '.config')!r})"},
    )
    out = tmp_path / "run.db"
    env = {**os.environ, "HOME": str(home)}
    env.pop("EVOFORGE_KEY_FILE", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "evoforge",
            "run",
            "ga",
            "--task",
            task,
            "--budget",
            "8",
            "--sandbox",
            "-q",
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    store = RunStore.open(out)
    try:
        metrics = [c.metrics for c in store.candidates() if c.status == "ok"]
    finally:
        store.close()
    assert metrics, "no candidate was evaluated"
    assert key.hex() not in json.dumps(metrics)
    assert all(m == {"key": "FileNotFoundError", "config": "FileNotFoundError"} for m in metrics), metrics[:2]


def test_a_sandboxed_evaluator_cannot_connect_to_a_socket_next_to_its_task(tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    server.settimeout(5)
    received = []

    def serve():
        try:
            conn, _ = server.accept()
            received.append(conn.recv(100))
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=serve)
    thread.start()
    connect = (
        f"(lambda s: (s.connect({str(path)!r}), s.sendall(b'leaked'), s.close(), 'connected')[-1])"
        "(__import__('socket').socket(__import__('socket').AF_UNIX))"
    )
    try:
        metrics = evaluate_sandboxed(peek_task(tmp_path, {"connect": connect}))
    finally:
        thread.join()
        server.close()
    assert received == [] and metrics == {"connect": "FileNotFoundError"}, (received, metrics)


def test_a_task_file_in_a_shared_tmp_folder_sees_no_sibling(tmp_path):
    """``tmp_path`` stands for /tmp: other processes' files and sockets next to the task file."""
    (tmp_path / "other-process.txt").write_text("not yours")
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "session.json").write_text("{}")
    metrics = evaluate_sandboxed(
        peek_task(
            tmp_path,
            {
                "listing": "sorted(n for n in os.listdir(HERE) if n != '__pycache__')",
                "sibling": "open(os.path.join(HERE, 'other-process.txt')).read()",
                "ray": "os.listdir(os.path.join(HERE, 'ray'))",
            },
        )
    )
    assert metrics == {"listing": ["task.py"], "sibling": "FileNotFoundError", "ray": "FileNotFoundError"}, metrics


def test_a_task_reads_its_declared_data_files_and_nothing_else(tmp_path):
    (tmp_path / "data.txt").write_text("declared")
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.csv").write_text("a,b")
    (tmp_path / "secret.txt").write_text("undeclared")
    metrics = evaluate_sandboxed(
        peek_task(
            tmp_path,
            {
                "data": "open(os.path.join(HERE, 'data.txt')).read()",
                "table": "open(os.path.join(HERE, 'tables', 't.csv')).read()",
                "secret": "open(os.path.join(HERE, 'secret.txt')).read()",
            },
            declare='DATA_FILES = ["data.txt", "./tables/"]',
        )
    )
    assert metrics == {"data": "declared", "table": "a,b", "secret": "FileNotFoundError"}, metrics


def test_a_typed_task_declares_data_files_as_a_field(tmp_path):
    (tmp_path / "data.txt").write_text("declared")
    (tmp_path / "secret.txt").write_text("undeclared")
    path = tmp_path / "typed.py"
    path.write_text(
        textwrap.dedent(
            f"""
            import os
            from evoforge import VectorTask

            def evaluate(genome):
                seen = {{}}
                for name in ("data.txt", "secret.txt"):
                    try:
                        seen[name] = open(os.path.join({str(tmp_path)!r}, name)).read()
                    except OSError as err:
                        seen[name] = type(err).__name__
                return {{"score": 1.0, "metrics": seen}}

            TASK = VectorTask(seed=[0.0, 0.0], evaluate=evaluate, data_files=["data.txt"])
            """
        )
    )
    assert load_task(str(path)).data_files == ("data.txt",)
    assert evaluate_sandboxed(str(path)) == {"data.txt": "declared", "secret.txt": "FileNotFoundError"}


@pytest.mark.parametrize("entry", ["/etc/passwd", "../secret.txt", "data/../../x", "~/.ssh", ""])
def test_data_files_outside_the_task_folder_are_refused_at_load(tmp_path, entry):
    path = peek_task(tmp_path, {}, declare=f"DATA_FILES = [{entry!r}]")
    with pytest.raises(TaskError, match="DATA_FILES"):
        load_task(path)


def test_data_files_must_be_a_list(tmp_path):
    with pytest.raises(TaskError, match="DATA_FILES must be a list"):
        load_task(peek_task(tmp_path, {}, declare='DATA_FILES = "data.txt"'))


def test_declared_sockets_and_folders_holding_one_are_refused(tmp_path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    (tmp_path / "sub").mkdir()
    server.bind(str(tmp_path / "sub" / "s.sock"))
    server.listen(1)
    os.mkfifo(tmp_path / "pipe")
    try:
        for entry, what in (("sub/s.sock", "socket"), ("sub", "socket"), (".", "(socket|FIFO)"), ("pipe", "FIFO")):
            task = load_task(peek_task(tmp_path, {}, declare=f"DATA_FILES = [{entry!r}]"))
            with pytest.raises(ConfigError, match=f"is a {what}; sockets, FIFOs and devices are never mounted"):
                ProcessPoolExecutor(task, workers=1, timeout=30, memory_mb=512, sandbox=True)
    finally:
        server.close()


def test_declared_paths_that_expose_the_key_or_leave_the_folder_are_refused(fake_home, tmp_path):
    home, _key = fake_home
    (tmp_path / "elsewhere").mkdir()
    (home / "link").symlink_to(tmp_path / "elsewhere")
    for entry, why in ((".config", "the run key"), (".", "the run key"), ("link", "outside the task file's folder")):
        task = load_task(peek_task(home, {}, declare=f"DATA_FILES = [{entry!r}]"))
        with pytest.raises(ConfigError, match=why):
            ProcessPoolExecutor(task, workers=1, timeout=30, memory_mb=512, sandbox=True)
    task = load_task(peek_task(home, {}, declare='DATA_FILES = ["missing.csv"]'))
    with pytest.raises(ConfigError, match="not found"):
        ProcessPoolExecutor(task, workers=1, timeout=30, memory_mb=512, sandbox=True)


def test_a_program_cannot_read_the_run_key_through_a_python_prefix_in_home(fake_home, monkeypatch):
    """A Python installed right in the home folder (its prefix is $HOME) is mounted as its exact folders."""
    home, key = fake_home
    monkeypatch.setattr(sys, "prefix", str(home))
    key_file = home / ".config" / "evoforge" / "run-key"
    r = run_program(f"print(open({str(key_file)!r}, 'rb').read().hex())\n")
    assert not r.ok and key.hex() not in r.stdout and "FileNotFoundError" in r.reason, r
    assert not any(str(home) == d or str(home).startswith(d + "/") for d in bwrap.python_dirs())


@pytest.mark.skipif(
    any(sys.base_prefix == d or sys.base_prefix.startswith(d + "/") for d in ("/usr", "/bin", "/lib")),
    reason="Python is a system installation here",
)
def test_python_dirs_never_hold_home_and_python_still_starts(monkeypatch):
    """pyenv-style, taken to the limit: the home folder is the Python prefix itself; only the exact
    Python folders are mounted, and Python starts from them."""
    base = sys.base_prefix
    monkeypatch.setenv("HOME", base)
    dirs = bwrap.python_dirs()
    assert dirs and not any(base == d or base.startswith(d + "/") for d in dirs), dirs
    mounted = {os.path.relpath(d, base).split("/")[0] for d in dirs if d.startswith(base + "/")}
    r = run_program(f"import os\nprint(sorted(os.listdir({base!r})))\n")
    assert r.ok, r
    assert set(eval(r.stdout)) <= mounted < set(os.listdir(base)), (r.stdout, mounted)
