"""Opening SQLite run files without harming them: read-only connections for readers, a format check
before anything could write, and the writer's lock (also taken before ``--overwrite`` deletes a file)."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from pathlib import Path

from evoforge.core.errors import StoreError

from .disk import WriterConnection

SQLITE_MAGIC = b"SQLite format 3\0"


def check_header(path: Path) -> None:
    """Refuse a file that is not an SQLite database (an empty file included) without opening it in SQLite."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as err:
        raise StoreError(f"cannot read {path} ({err.strerror})") from None
    if header != SQLITE_MAGIC:
        raise StoreError(f"{path} is not an evoforge run file (not an SQLite database)")


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30.0, isolation_level="DEFERRED", factory=WriterConnection)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect only in a new file, before WAL and tables
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # durable across process kills; fsync at checkpoints
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def connect_readonly(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot change the file (SQLite may add the -wal/-shm files of a WAL run)."""
    uri = f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"
    conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    conn.row_factory = sqlite3.Row
    return conn


def check_format(path: Path, fmt: str) -> None:
    """Refuse a file whose meta does not say evoforge-run. A WAL database with no -wal file beside it is
    read as immutable here, so checking another program's database creates no file next to it."""
    quiet = not Path(f"{path}-wal").exists()
    try:
        conn = connect_readonly(path, immutable=quiet)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        finally:
            conn.close()
        ours = row is not None and json.loads(row[0]) == fmt
    except (sqlite3.DatabaseError, ValueError, TypeError):
        ours = False
    if not ours:
        raise StoreError(f"{path} is not an evoforge run file")


def claim(path: Path, refusal: str = "") -> int:
    """An exclusive lock on the run file (a descriptor to keep), or StoreError if a writer holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as err:
        raise StoreError(f"cannot open {path} ({err.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreError(f"{path} is in use by another evoforge process{refusal}") from None
    return fd


def remove_unclaimed(path: Path) -> None:
    """Delete a run file for ``--overwrite``, holding its lock, so a live run is never deleted."""
    fd = claim(path, "; not overwriting a live run")
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    except OSError as err:
        raise StoreError(f"cannot overwrite {path} ({err.strerror})") from None
    finally:
        os.close(fd)
