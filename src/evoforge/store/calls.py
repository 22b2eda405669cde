"""The ``calls`` and ``texts`` tables: each model-made child's request and answer (core/model_call.py).

``calls`` has one row per child whose recipe said how it was made: ``called`` (0 for a child made
without a model), its messages as JSON ``[[role, text hash], ...]`` and its answer's text hash.
``texts`` holds each distinct text once, by hash (packed as the store packs genomes: long text zlib-
compressed), so a system prompt or task description sent with every request is stored once. Run files
written before these tables read as having no calls; a resumed one gets them with its next commit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable

from evoforge.core.model_call import ModelCall

from .rows import pack, unpack

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS texts (hash TEXT PRIMARY KEY, text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS calls (candidate INTEGER PRIMARY KEY, called INTEGER NOT NULL,"
    " messages TEXT, answer TEXT)",
)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def write_calls(conn: sqlite3.Connection, calls: Iterable[tuple[int, ModelCall]]) -> None:
    """Record ``(candidate id, call)`` pairs inside the caller's transaction (tables made when missing)."""
    calls = list(calls)
    if not calls:
        return
    for statement in SCHEMA:  # a file written before the tables, resumed
        conn.execute(statement)
    texts: dict[str, str] = {}
    rows = []
    for cid, call in calls:
        if not call.called:
            rows.append((cid, 0, None, None))
            continue
        refs = []
        for message in call.messages:
            key = text_hash(message["content"])
            texts[key] = message["content"]
            refs.append([message["role"], key])
        answer = text_hash(call.answer)
        texts[answer] = call.answer
        rows.append((cid, 1, json.dumps(refs), answer))
    conn.executemany(
        "INSERT OR IGNORE INTO texts(hash, text) VALUES (?, ?)",
        [(key, pack(text, compress=True)) for key, text in texts.items()],
    )
    conn.executemany("INSERT OR REPLACE INTO calls(candidate, called, messages, answer) VALUES (?, ?, ?, ?)", rows)


def has_calls(conn: sqlite3.Connection) -> bool:
    """Whether the file has the tables (files written before them have none)."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='calls'").fetchone()
    return row is not None


def read_calls(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> dict[int, ModelCall]:
    """The recorded calls of candidates ``ids`` (all recorded ones when None), by candidate id."""
    if not has_calls(conn):
        return {}
    if ids is None:
        rows = conn.execute("SELECT candidate, called, messages, answer FROM calls ORDER BY candidate").fetchall()
    else:
        wanted = sorted({int(i) for i in ids})
        rows = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT candidate, called, messages, answer FROM calls WHERE candidate IN ({marks})"
            rows += conn.execute(sql, chunk).fetchall()
    refs = [json.loads(r[2]) if r[2] else [] for r in rows]
    keys = {key for r_refs in refs for _, key in r_refs} | {r[3] for r in rows if r[3]}
    texts = _texts(conn, keys)
    out: dict[int, ModelCall] = {}
    for row, r_refs in zip(rows, refs):
        if not row[1]:
            out[row[0]] = ModelCall(called=False)
            continue
        messages = tuple({"role": role, "content": texts.get(key, "")} for role, key in r_refs)
        out[row[0]] = ModelCall(messages, texts.get(row[3], ""))
    return out


def _texts(conn: sqlite3.Connection, keys: set[str]) -> dict[str, str]:
    wanted, out = sorted(keys), {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"SELECT hash, text FROM texts WHERE hash IN ({','.join('?' * len(chunk))})"
        out.update({key: unpack(text, "") for key, text in conn.execute(sql, chunk)})
    return out


def calls_by_operator(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Per operator: (children made by a model call, children recorded as made without one)."""
    if not has_calls(conn):
        return {}
    sql = (
        "SELECT c.operator, SUM(k.called), SUM(1 - k.called) FROM calls k JOIN candidates c ON c.id = k.candidate"
        " GROUP BY c.operator ORDER BY c.operator"
    )
    return {op: (int(made or 0), int(without or 0)) for op, made, without in conn.execute(sql)}
