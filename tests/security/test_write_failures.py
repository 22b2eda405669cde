"""A run file that cannot be written: an unusable ``--out`` is one line and exit 2 before the run starts
(before the "run file" line); a disk that fills up (ENOSPC, EDQUOT, a file-size limit) while the run
writes is one "disk full while writing RUN_FILE" line and exit 1, and the run stays resumable."""

from __future__ import annotations

import errno
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from security_helpers import SRC

from evoforge.cli import main
from evoforge.store.run_file import RunStore

BASE = ["run", "ga", "--task", "sphere", "-q"]


def _lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]


def _cli(*args: object, cwd: Path, preexec=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "1000"}
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=180,
        preexec_fn=preexec,
    )


def _unix_socket(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return sock


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        ("/proc/nope/x.db", "cannot create a file in /proc"),  # a missing folder that cannot be made
        ("/proc/x.db", "cannot create a file in /proc"),
        ("folder", "is a folder"),
        ("socket", "is not a regular file"),  # --overwrite would have deleted it
        ("long-name", "long"),  # "File name too long" or "longer than 255 bytes"
    ],
)
def test_unusable_out_is_one_line_before_the_run_starts(where, needle, tmp_path):
    if where.startswith("/proc") and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    sock = None
    if where == "folder":
        (tmp_path / "adir").mkdir()
        out = tmp_path / "adir"
    elif where == "socket":
        out = tmp_path / "sock"
        sock = _unix_socket(out)
    elif where == "long-name":
        out = tmp_path / ("n" * 300) / "r.db"
    else:
        out = Path(where)
    try:
        proc = _cli(*BASE, "--budget", "10", "--out", out, "--overwrite", cwd=tmp_path)
    finally:
        if sock is not None:
            sock.close()
    lines = _lines(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], lines
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert where != "socket" or out.is_socket()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".evoforge-probe")]  # the try is removed


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder (the /proc cases cover root)")
def test_out_in_a_folder_without_write_permission(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    proc = _cli(*BASE, "--budget", "10", "--out", locked / "sub" / "r.db", cwd=tmp_path)
    lines = _lines(proc)
    assert proc.returncode == 2 and len(lines) == 1 and "cannot write in" in lines[0], lines


def _file_size_limit(limit: int):
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def test_file_size_limit_is_reported_as_disk_full_and_the_run_resumes(tmp_path):
    out = tmp_path / "r.db"
    args = (*BASE, "--budget", "4000", "--checkpoint-every", "0", "--out", out)
    proc = _cli(*args, cwd=tmp_path, preexec=_file_size_limit(500_000))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    errors = [line for line in _lines(proc) if line.startswith("error")]
    assert len(errors) == 1 and errors[0].startswith(f"error: disk full while writing {out}: "), proc.stderr
    assert "file size limit" in errors[0]
    store = RunStore.open(out)
    try:
        assert store.meta("status") == "running" and store.last_batch() is not None
        assert store.integrity() == "ok"
    finally:
        store.close()
    resumed = _cli("resume", out, "-q", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "evaluation budget reached (4000/4000)" in resumed.stdout


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_a_full_disk_outside_sqlite_is_one_line(code, tmp_path, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(RunStore, "commit", full)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main([*BASE, "--budget", "64", "--out", "r.db"])
    err = capsys.readouterr().err
    assert stop.value.code == 1, err
    errors = [line for line in err.splitlines() if line.startswith("error")]
    assert errors == [f"error: disk full while writing r.db: {os.strerror(code)}"] or (
        code == errno.EFBIG and len(errors) == 1 and errors[0].startswith("error: disk full while writing r.db: ")
    ), err
    assert "internal error" not in err and "Traceback" not in err


def test_sqlite_full_names_the_run_file(tmp_path, monkeypatch, capsys):
    """SQLite says "database or disk is full" (SQLITE_FULL, what ENOSPC becomes); here a page limit."""
    import evoforge.store.run_file as run_file

    real = run_file.connect

    def small(path):
        conn = real(path)
        conn.execute("PRAGMA max_page_count = 40")
        return conn

    monkeypatch.setattr(run_file, "connect", small)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main([*BASE, "--budget", "20000", "--checkpoint-every", "0", "--out", "r.db"])
    err = capsys.readouterr().err
    assert stop.value.code == 1, err
    errors = [line for line in err.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and errors[0].startswith("error: disk full while writing r.db: "), err
    assert "internal error" not in err
    conn = sqlite3.connect(tmp_path / "r.db")
    try:  # the failed commit was rolled back: the batches before it are there
        assert conn.execute("SELECT count(*) FROM batches").fetchone()[0] > 0
    finally:
        conn.close()


def test_a_disk_full_while_the_run_file_is_created_leaves_nothing_behind(tmp_path, monkeypatch):
    out = tmp_path / "r.db"

    def full(self, meta):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(RunStore, "_set_meta", full)
    with pytest.raises(OSError):
        RunStore.create(out, {"task": "sphere"})
    assert not any(tmp_path.iterdir())  # no half-made file blocks the next run
    monkeypatch.undo()
    RunStore.create(out, {"task": "sphere"}).close()
    assert out.is_file()
