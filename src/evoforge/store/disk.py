"""Writes that fail for want of space: a full disk, a quota, a file-size limit (``ulimit -f``).

SQLite reports a full disk as ``SQLITE_FULL`` and a write the kernel refused for another reason
(``EFBIG`` past ``RLIMIT_FSIZE``, ``EDQUOT``) as a disk I/O error, without the errno. The run file's
writer connection (:class:`WriterConnection`) turns both into :class:`RunFileWriteError`, a one-line
:class:`~evoforge.core.errors.StoreError` that names the run file; :func:`disk_full` says what filled up,
for the CLI's mapping of other exceptions too. A failed commit is rolled back, so the run file keeps
its last committed batch and stays resumable.
"""

from __future__ import annotations

import errno
import os
import resource
import sqlite3
from pathlib import Path
from typing import Any

from evoforge.core.errors import StoreError

DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
SQLITE_FULL = 13
SQLITE_IOERR = 10
_LARGEST_WRITE = 65536 + 64  # a WAL frame of SQLite's largest page: a write past the limit fails
_LOW_SPACE = 1 << 20


class RunFileWriteError(StoreError, sqlite3.OperationalError):
    """A write to the run file failed (disk full, quota, file-size limit, I/O error). Still an
    ``sqlite3.OperationalError``, so code that tolerates SQLite errors (a vacuum on close) still does."""


def disk_full(err: BaseException, path: str | Path | None = None) -> str | None:
    """What filled up when ``err`` is a write refused for want of space (``path``: the file written,
    to tell a file-size limit or a full file system behind SQLite's disk I/O error), else None."""
    if isinstance(err, OSError):
        if err.errno == errno.EFBIG:
            return _size_limit(path, reached=False) or err.strerror or "file too large"
        if err.errno in DISK_FULL_ERRNOS:
            return err.strerror or os.strerror(err.errno)
        return None
    code = getattr(err, "sqlite_errorcode", None) if isinstance(err, sqlite3.Error) else None
    if code == SQLITE_FULL:
        return _size_limit(path) or "no space left on device"
    if isinstance(code, int) and code & 0xFF == SQLITE_IOERR:
        return _size_limit(path) or _no_space(path)
    return None


def _size_limit(path: str | Path | None, reached: bool = True) -> str | None:
    """The file-size limit, when there is one and (``reached``) a file of the run is at it."""
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if soft == resource.RLIM_INFINITY:
        return None
    if reached:
        if path is None:
            return None
        sizes = []
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                sizes.append(os.stat(f"{path}{suffix}").st_size)
            except OSError:
                continue
        if not any(size + _LARGEST_WRITE >= soft for size in sizes):
            return None
    return f"file size limit reached (ulimit -f: {soft} bytes)"


def _no_space(path: str | Path | None) -> str | None:
    """'no space left on device' when the file system holding ``path`` is (nearly) full."""
    if path is None:
        return None
    try:
        fs = os.statvfs(Path(path).parent)
    except OSError:
        return None
    blocks = fs.f_bfree if os.geteuid() == 0 else fs.f_bavail  # root may use the reserved blocks
    if blocks * fs.f_frsize < _LOW_SPACE or fs.f_favail == 0:
        return "no space left on device"
    return None


class WriterConnection(sqlite3.Connection):
    """The run writer's connection: a write that fails (disk full, file-size limit, I/O error) raises
    :class:`RunFileWriteError` naming the file, instead of SQLite's bare message."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.path = str(database)

    def _refused(self, err: sqlite3.Error) -> RunFileWriteError | None:
        code = getattr(err, "sqlite_errorcode", None)
        if not isinstance(code, int) or (code != SQLITE_FULL and code & 0xFF != SQLITE_IOERR):
            return None
        full = disk_full(err, self.path)
        if full:
            return RunFileWriteError(f"disk full while writing {self.path}: {full}")
        return RunFileWriteError(f"cannot write {self.path}: {err} (sqlite {getattr(err, 'sqlite_errorname', code)})")

    def execute(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().execute(*args)
        except sqlite3.OperationalError as err:
            raise self._refused(err) or err from None

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().executemany(*args)
        except sqlite3.OperationalError as err:
            raise self._refused(err) or err from None

    def executescript(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().executescript(*args)
        except sqlite3.OperationalError as err:
            raise self._refused(err) or err from None

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.OperationalError as err:
            raise self._refused(err) or err from None

    def __exit__(self, *exc: Any) -> Any:  # ``with conn:`` commits here
        try:
            return super().__exit__(*exc)
        except sqlite3.OperationalError as err:
            raise self._refused(err) or err from None
