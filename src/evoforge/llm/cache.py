"""Response cache: one SQLite file (WAL), keyed by a hash of everything that shapes a response."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from .types import Completion, Request

_SCHEMA_VERSION = 1


def cache_key(backend: str, model: str, req: Request) -> str:
    """sha256 of backend, model, kind, messages/prompt, all sampling params and seed."""
    payload = {
        "v": _SCHEMA_VERSION,
        "backend": backend,
        "model": model,
        "kind": req.kind,
        "input": req.input,
        **req.params(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """A persistent map ``key -> list[Completion]`` in one SQLite file.

    Safe to share between threads (one connection behind a lock) and between
    processes (WAL journal, busy timeout).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30.0)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, completions TEXT NOT NULL, meta TEXT, created REAL)"
            )
            self._db.commit()

    def get(self, key: str) -> list[Completion] | None:
        with self._lock:
            row = self._db.execute("SELECT completions FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return [Completion.from_dict(d, cached=True) for d in json.loads(row[0])]

    def put(self, key: str, completions: list[Completion], meta: dict[str, Any] | None = None) -> None:
        data = json.dumps([{**c.to_dict(), "cached": False} for c in completions], ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, completions, meta, created) VALUES (?, ?, ?, ?)",
                (key, data, json.dumps(meta or {}, ensure_ascii=False), time.time()),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
