"""Crash-safe run store: one SQLite file per run (WAL), one transaction per commit.

A commit writes one or more consecutive batches (their candidates, events and per-batch
summaries, the engine's random-generator state) together with the recipe's state after the last of
them, in a single transaction, so a run killed at any instant resumes from its last committed batch
with nothing duplicated; batches evaluated after that commit are evaluated again on resume.

Run files hold no state a reader must unpickle: the recipe state is a pickle signed with this user's
run key (runkey.py) and loaded only by ``resume`` after the signature checks out; what ``show`` and
``plot`` need from the recipe (its report text, its archive's heatmap) is stored as JSON in meta.
Readers open the file read-only; only ``create`` and ``open(write=True)`` change it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evoforge.core.candidate import Candidate
from evoforge.core.errors import StoreError
from evoforge.core.model_call import ModelCall
from evoforge.core.moved import moved_module

from . import runkey
from .calls import SCHEMA as CALLS_SCHEMA
from .calls import write_calls
from .fileaccess import check_format, check_header, claim, connect, connect_readonly, remove_unclaimed
from .queries import RunQueries
from .rows import CANDIDATE_COLUMNS, candidate_row

FORMAT = "evoforge-run"
# 2: signed checkpoints, the inflight table, report/view in meta; 3: packed fields; 4: packed metrics, no
# lineage table (the parents column says it) and no score index (the run files of long runs stay small)
SCHEMA_VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
SIGNED_VERSIONS = (2, 3, 4)  # resumable; an older file becomes schema 4 when resumed (its new rows are packed)
NOT_OURS = "was not written by evoforge for this user (signature mismatch); refusing to load its state"
# Poison candidates: deaths of the run process with a genome in flight that fail it. The first comes with
# its batch, when any genome of the batch may be the cause; each further one only when the process died
# while that genome alone was evaluated. A kill -9 from outside cannot be told from the candidate's own,
# so one isolated death proves nothing: a candidate that kills the process does so on every isolated
# evaluation, a user's kills would have to land inside the same candidate's isolated evaluation 3 times
# in a row.
ISOLATED_DEATHS = 3
POISON_STRIKES = 1 + ISOLATED_DEATHS
UNSIGNED = (
    "has no checkpoint and no run signature (no signature of this user vouches for what it names); "
    "refusing to load it: start the run again with `evoforge run`"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
  id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, generation INTEGER NOT NULL,
  operator TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, score REAL,
  genome TEXT NOT NULL, metrics TEXT, descriptors TEXT, feedback TEXT, parents TEXT,
  info TEXT, eval_seconds REAL);
CREATE TABLE IF NOT EXISTS batches (
  batch INTEGER PRIMARY KEY, generation INTEGER NOT NULL, evaluations INTEGER NOT NULL,
  best_score REAL, median_score REAL, batch_best REAL, elapsed REAL NOT NULL,
  committed_at REAL NOT NULL, rng TEXT NOT NULL, usage TEXT);
CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), batch INTEGER NOT NULL,
  recipe_state BLOB NOT NULL, signature TEXT);
CREATE TABLE IF NOT EXISTS inflight (key TEXT PRIMARY KEY, batch INTEGER NOT NULL, genome TEXT,
  strikes INTEGER NOT NULL DEFAULT 0, alone INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, batch INTEGER, time REAL NOT NULL,
  kind TEXT NOT NULL, data TEXT);
""" + "".join(f"{statement};\n" for statement in CALLS_SCHEMA)


@dataclass
class BatchRecord:
    """One evaluated batch as the store records it."""

    batch: int
    candidates: list[Candidate]
    summary: dict[str, Any]
    rng_state: dict[str, Any]
    usage: dict[str, Any] | None = None
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    calls: dict[int, ModelCall] = field(default_factory=dict)  # candidate id -> how it was made


class RunStore(RunQueries):
    """All a run produced, in one SQLite file. Use :meth:`create` for a new run, :meth:`open` to read
    or resume one; what readers ask of it: :class:`~evoforge.store.queries.RunQueries`."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._lock_fd: int | None = None
        self._key: bytes | None = None  # the run key and run id, once this store signs a commit
        self._run_id = ""

    def lock(self) -> None:
        """Claim the run for writing; a second writer (say, two ``resume`` at once) is refused.
        The lock is the kernel's and vanishes with the process, even after kill -9."""
        self._lock_fd = claim(self.path)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, config: dict[str, Any], overwrite: bool = False) -> RunStore:
        path = Path(path)
        if path.exists():
            if not overwrite:
                raise StoreError(
                    f"{path} already exists: resume it with `evoforge resume {path}` or choose another --out"
                )
            remove_unclaimed(path)
        key, run_id = runkey.load_key(create=True), secrets.token_hex(16)  # no key, no file
        path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(connect(path), path)
        store.lock()
        store._key, store._run_id = key, run_id
        meta = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "status": "running", "config": config,
                "created_at": time.time(), "run_id": run_id,
                "run_signature": runkey.sign_run(key, run_id) if key else None}  # fmt: skip
        try:
            with store.conn:
                store.conn.executescript(_SCHEMA)
                store._set_meta(meta)
        except BaseException:  # e.g. a full disk: leave no half-made file that blocks a re-run
            store.close()
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def open(cls, path: str | Path, *, write: bool = False) -> RunStore:
        """Open a run read-only, or with ``write`` (resume) claim it and open it for writing. A file
        that is not an evoforge run is refused before anything could change it."""
        path = Path(path)
        if not path.is_file():
            raise StoreError(f"run file not found: {path}")
        check_header(path)
        check_format(path, FORMAT)
        conn = connect_readonly(path)
        store = cls(conn, path)
        try:
            _check_version(store, write)
            if write:
                store.lock()
                conn.close()
                store.conn = connect(path)
            ok = store.conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise StoreError(f"{path} is corrupted (sqlite: {ok})")
        except sqlite3.DatabaseError as err:
            store.close()
            raise StoreError(f"{path} is not a readable evoforge run file ({err})") from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        if self._lock_fd is not None:  # the writer gives back the pages old checkpoints left free
            try:
                self.conn.executescript("PRAGMA incremental_vacuum;")  # stepped to the end (execute steps once)
            except sqlite3.Error:
                pass  # a full disk or a file of schema <= 3 (no auto-vacuum): the free pages stay, harmless
            self._fold_wal()
        self.conn.close()

    def _fold_wal(self) -> None:
        """The write-ahead log folded into the file and truncated to nothing. The file stays in WAL mode: a
        rollback journal would let a kill -9 while the next writer switches back to WAL leave a hot journal
        that read-only openers (resume's first look, every reader) cannot roll back."""
        try:
            self.conn.execute("PRAGMA busy_timeout=1000")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- meta ------------------------------------------------------------------------------------
    def _set_meta(self, values: dict[str, Any]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [(k, json.dumps(v)) for k, v in values.items()]
        )

    def meta(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    @property
    def config(self) -> dict[str, Any]:
        return self.meta("config", {})

    def reopen(self, config: dict[str, Any]) -> None:
        """Give a run new settings (``resume`` with more budget) and mark it running again."""
        with self.conn:
            self._set_meta({"config": config, "status": "running"})
            self.conn.execute("DELETE FROM meta WHERE key IN ('stop_reason', 'finished_at')")
            self._event(None, "extended", {"config": config})

    def mark_finished(self, reason: str) -> None:
        with self.conn:
            self._set_meta({"status": "finished", "stop_reason": reason, "finished_at": time.time()})
            self._event(None, "finished", {"reason": reason})
            self.conn.execute("DELETE FROM inflight WHERE strikes < ?", (POISON_STRIKES,))

    # -- candidates in flight (poison candidates) ------------------------------------------------
    def mark_inflight(self, batch: int, entries: list[tuple[str, str | None]], replace: bool = True) -> None:
        """Record the genome keys about to be evaluated (committed before evaluation starts); with
        ``replace`` the previous batch's entries, evaluated without incident, are dropped in the same
        transaction. The asynchronous loop marks with batch -1 and no ``replace``: its entries leave only
        through :meth:`drop_inflight`, once their candidates were told."""
        with self.conn:
            if replace:
                self.conn.execute("DELETE FROM inflight WHERE strikes = 0")
            self.conn.executemany(
                "INSERT OR IGNORE INTO inflight(key, batch, genome) VALUES (?, ?, ?)",
                [(key, batch, genome) for key, genome in entries],
            )

    def strike_inflight(self, committed: int) -> dict[str, tuple[int, int]]:
        """On resume: the run died with these keys in flight. Entries of batches up to ``committed``
        evaluated fine (their batch was committed) and are dropped; the one evaluated alone when the
        process died gets one more strike, new entries a first, suspects still waiting for their isolated
        evaluation none. Returns {key: (strikes, batch)}; ``POISON_STRIKES`` strikes fail a genome."""
        with self.conn:
            self.conn.execute(
                "DELETE FROM inflight WHERE batch <= ? AND batch >= 0 AND strikes < ?", (committed, POISON_STRIKES)
            )
            self.conn.execute("UPDATE inflight SET strikes = strikes + 1 WHERE alone = 1")
            self.conn.execute("UPDATE inflight SET strikes = 1 WHERE strikes = 0")
            self.conn.execute("UPDATE inflight SET alone = 0")
        return {
            r["key"]: (r["strikes"], r["batch"]) for r in self.conn.execute("SELECT key, strikes, batch FROM inflight")
        }

    def drop_inflight(self, keys: list[str]) -> None:
        """Forget keys whose evaluation ended (asynchronous loop; genomes failed as poison stay)."""
        with self.conn:
            self.conn.executemany(
                "DELETE FROM inflight WHERE key = ? AND strikes < ?", [(k, POISON_STRIKES) for k in keys]
            )

    def isolate_inflight(self, key: str, alone: bool) -> None:
        """Mark ``key`` as evaluated alone (``alone``), or clear it once it survived that."""
        with self.conn:
            if alone:
                self.conn.execute("UPDATE inflight SET alone = 1 WHERE key = ?", (key,))
            else:
                self.conn.execute("DELETE FROM inflight WHERE key = ?", (key,))

    # -- writing ---------------------------------------------------------------------------------
    def commit(self, records: list[BatchRecord], recipe_state: Any, view: dict[str, Any] | None = None) -> None:
        """Write consecutive batches and the state needed to resume after the last one, atomically.
        The state is pickled and signed; ``view`` (JSON) is what readers may know of the recipe."""
        blob = pickle.dumps(recipe_state, protocol=pickle.HIGHEST_PROTOCOL)
        batch = records[-1].batch
        if self._key is None:
            self._key, self._run_id = runkey.load_key(create=True), self.meta("run_id", "")
        signature = runkey.sign(self._key, self._run_id, batch, blob)
        with self.conn:
            if self.meta("schema_version") != SCHEMA_VERSION:  # an older run resumed: its new rows are packed
                self._set_meta({"schema_version": SCHEMA_VERSION})
            for rec in records:
                self._write_batch(rec)
            self.conn.execute(
                "INSERT OR REPLACE INTO checkpoint(id, batch, recipe_state, signature) VALUES (1, ?, ?, ?)",
                (batch, blob, signature),
            )
            if view is not None:
                self._set_meta({"view": view})

    def describe(
        self, report: str | None, view: dict[str, Any] | None = None, facts: dict[str, Any] | None = None
    ) -> None:
        """Store what readers show of the recipe: its report text (``show``, the end of a run) and,
        when given, its view (``plot``) and other JSON facts (``answer``, ``discarded``, ``seed``; see
        run_facts.py). ``None`` leaves the stored value as it is."""
        values = {k: v for k, v in (("report", report), ("view", view)) if v is not None}
        values.update(facts or {})
        if values:
            with self.conn:
                self._set_meta(values)

    def _write_batch(self, rec: BatchRecord) -> None:
        self.conn.executemany(
            f"INSERT INTO candidates({', '.join(CANDIDATE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(CANDIDATE_COLUMNS))})",
            [candidate_row(c, rec.batch) for c in rec.candidates],
        )
        summary = rec.summary
        self.conn.execute(
            "INSERT INTO batches(batch, generation, evaluations, best_score, median_score, batch_best,"
            " elapsed, committed_at, rng, usage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rec.batch,
                summary["generation"],
                summary["evaluations"],
                summary.get("best_score"),
                summary.get("median_score"),
                summary.get("batch_best"),
                summary["elapsed"],
                time.time(),
                json.dumps(rec.rng_state),
                json.dumps(rec.usage) if rec.usage is not None else None,
            ),
        )
        for kind, data in rec.events:
            self._event(rec.batch, kind, data)
        write_calls(self.conn, rec.calls.items())

    def event(self, kind: str, data: dict[str, Any] | None = None, batch: int | None = None) -> None:
        with self.conn:
            self._event(batch, kind, data or {})

    def _event(self, batch: int | None, kind: str, data: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO events(batch, time, kind, data) VALUES (?, ?, ?, ?)",
            (batch, time.time(), kind, json.dumps(data)),
        )

    # -- reading ---------------------------------------------------------------------------------
    def check_signed(self) -> None:
        """Refuse (StoreError, one line) a run file this user's evoforge did not write: its checkpoint
        must carry this user's signature or, before the first commit, the run file the signature written
        when it was created. ``resume`` calls this before it loads anything the file names (task, recipe)."""
        self._signed_checkpoint()

    def _signed_checkpoint(self) -> tuple[int, bytes] | None:
        """The last checkpoint (batch, pickled state) once its signature checked out; None before the
        first commit, when the run file's creation signature must check out instead."""
        if self.meta("schema_version") not in SIGNED_VERSIONS:
            raise StoreError(f"{self.path} {NOT_OURS}")
        row = self.conn.execute("SELECT batch, recipe_state, signature FROM checkpoint WHERE id=1").fetchone()
        run_id = self.meta("run_id", "")
        if not isinstance(run_id, str):
            raise StoreError(f"{self.path} {NOT_OURS}")
        if row is None:
            signature = self.meta("run_signature")
            if signature is None:
                raise StoreError(f"{self.path} {UNSIGNED}")
            if not runkey.verify_run(run_id, signature):
                raise StoreError(f"{self.path} {NOT_OURS}")
            return None
        blob = bytes(row["recipe_state"])
        if not runkey.verify(run_id, row["batch"], blob, row["signature"]):
            raise StoreError(f"{self.path} {NOT_OURS}")
        return row["batch"], blob

    def recipe_state(self) -> tuple[int, Any] | None:
        """The last checkpoint (batch, state), unpickled only when this user's run key signed it."""
        signed = self._signed_checkpoint()
        if signed is None:
            return None
        batch, blob = signed
        try:
            return batch, _CheckpointUnpickler(io.BytesIO(blob)).load()
        except Exception as err:
            raise StoreError(f"{self.path}: cannot restore the recipe state ({type(err).__name__}: {err})") from None

    def integrity(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


def _check_version(store: RunStore, write: bool) -> None:
    version = store.meta("schema_version")
    if version not in READABLE_VERSIONS:
        raise StoreError(
            f"{store.path} has run-file schema {version}; this evoforge reads {', '.join(map(str, READABLE_VERSIONS))}"
        )
    if write and version not in SIGNED_VERSIONS:
        raise StoreError(
            f"{store.path} was written by an older evoforge (run-file schema {version}) whose "
            "state is not signed; it can be shown and plotted but not resumed"
        )


class _CheckpointUnpickler(pickle.Unpickler):
    """Reads a signed checkpoint; classes of modules that have moved since it was written (see
    :mod:`evoforge.core.moved`) are found at their new place."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            return super().find_class(moved_module(module), name)
