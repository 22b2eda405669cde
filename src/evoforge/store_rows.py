"""How the run store turns candidates and batch rows into SQLite rows and back (JSON text columns)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import orjson

from .candidate import Candidate

CANDIDATE_COLUMNS = (
    "id",
    "batch",
    "generation",
    "operator",
    "status",
    "reason",
    "score",
    "genome",
    "metrics",
    "descriptors",
    "feedback",
    "parents",
    "info",
    "eval_seconds",
)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


_ORJSON_OPTS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str | None:
    """JSON text of a genome or result field. orjson is ~20x faster than json on float vectors, which
    is most of the store's cost per candidate; json is the fallback for what orjson refuses."""
    if value is None:
        return None
    try:
        return orjson.dumps(value, default=_json_default, option=_ORJSON_OPTS).decode()
    except TypeError:
        return json.dumps(value, default=_json_default)


genome_text = dumps  # the JSON text the store records for a genome


def candidate_row(c: Candidate, batch: int) -> tuple:
    """The ``candidates`` row of ``c`` (in ``CANDIDATE_COLUMNS`` order), recorded under ``batch``."""
    return (
        c.id,
        batch,
        c.generation,
        c.operator,
        c.status,
        c.reason,
        c.score,
        dumps(c.genome),
        dumps(c.metrics),
        dumps(c.descriptors),
        c.feedback,
        dumps(c.parents),
        dumps(c.info),
        c.eval_seconds,
    )


def row_candidate(row: sqlite3.Row) -> Candidate:
    """The candidate a ``candidates`` row records."""

    def load(key: str, default: Any = None) -> Any:
        return json.loads(row[key]) if row[key] is not None else default

    return Candidate(
        genome=load("genome"),
        id=row["id"],
        parents=load("parents", []),
        operator=row["operator"],
        generation=row["generation"],
        score=row["score"],
        metrics=load("metrics", {}),
        descriptors=load("descriptors"),
        feedback=row["feedback"],
        status=row["status"],
        reason=row["reason"],
        eval_seconds=row["eval_seconds"] or 0.0,
        info=load("info", {}),
    )


def batch_dict(row: sqlite3.Row) -> dict[str, Any]:
    """A ``batches`` row as a dict, its random-generator state and usage decoded."""
    out = dict(row)
    out["rng"] = json.loads(out["rng"])
    out["usage"] = json.loads(out["usage"]) if out["usage"] else None
    return out
