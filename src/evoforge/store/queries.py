"""What readers ask of a run file, as methods of :class:`~evoforge.store.run_file.RunStore`: the SQL
of ``show``, ``compare``, ``export``, the dashboard and the engine's resume lives here, and callers
pass values (a status, an operator, a limit), never SQL fragments."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.model_call import ModelCall

from . import calls as _calls
from .rows import batch_dict, row_candidate


class RunQueries:
    """Reading a run: candidates, batches, events and the summaries readers show."""

    conn: sqlite3.Connection

    # -- candidates ------------------------------------------------------------------------------
    def _select(self, where: str = "", params: tuple = (), order: str = "id", limit: int | None = None) -> Any:
        sql = f"SELECT * FROM candidates {('WHERE ' + where) if where else ''} ORDER BY {order}"
        sql += f" LIMIT {int(limit)}" if limit is not None else ""
        return self.conn.execute(sql, params)

    @staticmethod
    def _filter(status: str | None, exclude: str | None, operator: str | None) -> tuple[str, tuple]:
        parts, params = [], []
        for clause, value in (("status = ?", status), ("status != ?", exclude), ("operator = ?", operator)):
            if value is not None:
                parts.append(clause)
                params.append(value)
        return " AND ".join(parts), tuple(params)

    def candidates(
        self,
        status: str | None = None,
        *,
        exclude: str | None = None,
        operator: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> Iterator[Candidate]:
        """Candidates in id order (``newest_first``: the reverse), those of ``status`` only, or all but
        those of ``exclude``, or those of ``operator``."""
        where, params = self._filter(status, exclude, operator)
        for row in self._select(where, params, "id DESC" if newest_first else "id", limit):
            yield row_candidate(row)

    def candidate(self, cid: int) -> Candidate | None:
        row = self._select("id=?", (cid,), limit=1).fetchone()
        return row_candidate(row) if row else None

    def calls(self, ids: list[int] | None = None) -> dict[int, ModelCall]:
        """How candidates were made (their model request and answer, or no call), by id: those of
        ``ids``, or every recorded one; candidates that recorded nothing are absent."""
        return _calls.read_calls(self.conn, ids)

    def calls_by_operator(self) -> dict[str, tuple[int, int]]:
        """Per operator: (children made by a model call, children recorded as made without one)."""
        return _calls.calls_by_operator(self.conn)

    def best(self) -> Candidate | None:
        row = self._select("status='ok'", order="score DESC, id ASC", limit=1).fetchone()
        return row_candidate(row) if row else None

    def count(self, status: str | None = None, *, exclude: str | None = None) -> int:
        """How many candidates (of ``status``, or all but those of ``exclude``)."""
        where, params = self._filter(status, exclude, None)
        return self.conn.execute(
            f"SELECT COUNT(*) FROM candidates {('WHERE ' + where) if where else ''}", params
        ).fetchone()[0]

    def count_by_status(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT status, COUNT(*) FROM candidates GROUP BY status").fetchall())

    def count_reasons(self, status: str, limit: int | None = None) -> list[tuple[str | None, int]]:
        """(reason, how many) of the candidates of ``status``, most common first."""
        sql = "SELECT reason, COUNT(*) n FROM candidates WHERE status=? GROUP BY reason ORDER BY n DESC"
        sql += f" LIMIT {int(limit)}" if limit is not None else ""
        return [(r["reason"], int(r["n"])) for r in self.conn.execute(sql, (status,))]

    def reasons(self, status: str) -> Iterator[sqlite3.Row]:
        """(id, operator, reason) of every candidate of ``status``, in id order."""
        yield from self.conn.execute(
            "SELECT id, operator, reason FROM candidates WHERE status=? ORDER BY id", (status,)
        )

    def lineage(self, cid: int, depth: int = 50) -> list[Candidate]:
        """The chain from ``cid`` back through its first parent, newest first."""
        chain: list[Candidate] = []
        current = self.candidate(cid)
        while current is not None and len(chain) < depth:
            chain.append(current)
            current = self.candidate(current.parents[0]) if current.parents else None
        return chain

    # -- summaries for readers (raw rows: a run file from elsewhere may hold anything) -----------
    def best_row(self) -> sqlite3.Row | None:
        """(id, score, operator) of the best successful candidate with a numeric score."""
        return self.conn.execute(
            "SELECT id, score, operator FROM candidates WHERE status='ok' AND typeof(score) IN ('real', 'integer')"
            " ORDER BY score DESC, id ASC LIMIT 1"
        ).fetchone()

    def operator_stats(self) -> list[sqlite3.Row]:
        """(operator, status, count, best score, mean score) per operator and status."""
        return self.conn.execute(
            "SELECT operator, status, COUNT(*), MAX(score), AVG(score) FROM candidates GROUP BY operator, status"
        ).fetchall()

    def operator_best_by_batch(self) -> list[sqlite3.Row]:
        """(batch, operator, best score) of the successful candidates per batch and operator."""
        return self.conn.execute(
            "SELECT batch, operator, MAX(score) FROM candidates WHERE status='ok' GROUP BY batch, operator"
        ).fetchall()

    def monitor_rows(self, limit: int) -> list[sqlite3.Row]:
        """(id, operator, score, info, metrics) of candidates whose info holds ``monitors`` (self-training)."""
        return self.conn.execute(
            "SELECT id, operator, score, info, metrics FROM candidates"
            " WHERE info LIKE '%\"monitors\"%' ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()

    def table_rows(self, order: str, limit: int) -> list[sqlite3.Row]:
        """(id, batch, operator, status, score, genome, metrics) of the ``limit`` candidates first by
        ``order``: ``"best"`` (highest score first) or ``"newest"``."""
        by = {"best": "score IS NULL, score DESC, id", "newest": "id DESC"}[order]
        return self.conn.execute(
            f"SELECT id, batch, operator, status, score, genome, metrics FROM candidates ORDER BY {by} LIMIT ?",
            (int(limit),),
        ).fetchall()

    def descriptor_rows(self) -> Iterator[sqlite3.Row]:
        """(id, batch, score, stored descriptors) of successful candidates with descriptors, in id order."""
        yield from self.conn.execute(
            "SELECT id, batch, score, descriptors FROM candidates"
            " WHERE status='ok' AND descriptors IS NOT NULL ORDER BY id"
        )

    def tree_rows(self) -> list[sqlite3.Row]:
        """(id, batch, operator, status, score) of every evaluated (not rejected) candidate, in id order."""
        return self.conn.execute(
            "SELECT id, batch, operator, status, score FROM candidates WHERE status != ? ORDER BY id", (REJECTED,)
        ).fetchall()

    def parent_fields(self) -> Iterator[sqlite3.Row]:
        """(id, stored parents) of candidates that have parents."""
        yield from self.conn.execute("SELECT id, parents FROM candidates WHERE parents IS NOT NULL")

    def parent_fields_naming(self, cid: int) -> Iterator[sqlite3.Row]:
        """(id, stored parents) of candidates whose parents' text mentions ``cid`` (a superset of its
        children: the caller reads the parents to be sure), in id order."""
        sql = "SELECT id, parents FROM candidates WHERE typeof(parents) = 'text' AND instr(parents, ?) ORDER BY id"
        yield from self.conn.execute(sql, (str(cid),))

    # -- batches and events ----------------------------------------------------------------------
    def last_batch(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM batches ORDER BY batch DESC LIMIT 1").fetchone()
        return batch_dict(row) if row else None

    def batches(self) -> list[dict[str, Any]]:
        return [batch_dict(r) for r in self.conn.execute("SELECT * FROM batches ORDER BY batch")]

    def batch_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0]

    def batch_scores(self) -> list[sqlite3.Row]:
        """(batch, evaluations, best_score, median_score, elapsed) of every batch, in order (no JSON decoded)."""
        return self.conn.execute(
            "SELECT batch, evaluations, best_score, median_score, elapsed FROM batches ORDER BY batch"
        ).fetchall()

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM events", ()
        if kind:
            sql, params = sql + " WHERE kind=?", (kind,)
        return [
            {"batch": r["batch"], "time": r["time"], "kind": r["kind"], "data": json.loads(r["data"] or "{}")}
            for r in self.conn.execute(sql + " ORDER BY id", params)
        ]

    def recent_events(self, skip: tuple[str, ...], limit: int) -> list[sqlite3.Row]:
        """(batch, time, kind, raw data) of the newest ``limit`` events not of a kind in ``skip``, newest first."""
        return self.conn.execute(
            f"SELECT batch, time, kind, data FROM events WHERE kind NOT IN ({','.join('?' * len(skip))})"
            " ORDER BY id DESC LIMIT ?",
            (*skip, limit),
        ).fetchall()

    # -- reading while a run writes ----------------------------------------------------------------
    def begin_read(self) -> None:
        """Read everything that follows from one consistent state (a read transaction)."""
        self.conn.execute("BEGIN")

    def stamp(self) -> tuple[Any, Any, Any]:
        """(last batch, last event id, last candidate id): changes whenever the run commits or logs."""
        return self.conn.execute(
            "SELECT (SELECT MAX(batch) FROM batches), (SELECT MAX(id) FROM events), (SELECT MAX(id) FROM candidates)"
        ).fetchone()
