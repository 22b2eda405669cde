"""How the run store turns candidates and batch rows into SQLite rows and back.

Fields are JSON text, except (run-file schema 3) what JSON would bloat: a non-empty list of floats (a
vector genome, descriptors) is a BLOB of tag ``\\x01`` and its float64 values, little-endian (lossless:
every bit of every float, NaN and -0.0 included), and a genome's JSON text over ``COMPRESS_OVER``
characters that zlib shrinks by a quarter is a BLOB of tag ``\\x02`` and the compressed text; read
fields with :func:`unpack`. ``metrics`` and ``info`` stay JSON text; empty ``metrics``, ``parents`` and
``info`` are NULL. Files of schemas 1 and 2 (JSON text only) read the same way.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Any

import numpy as np
import orjson

from evoforge.core.candidate import Candidate

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


genome_text = dumps  # the JSON text of a genome (keys of genomes in flight)

VECTOR, ZJSON, FLOAT_DICT = b"\x01", b"\x02", b"\x03"  # BLOB tags: float64 vector, zlib JSON, {str: float}
COMPRESS_OVER = 2048  # characters of JSON text worth trying zlib on
MAX_UNPACKED = 256 * 2**20  # bytes a compressed field may expand to (a hostile file cannot exhaust memory)


def _float_vector(value: Any) -> np.ndarray | None:
    """``value`` as a little-endian float64 array when it is a non-empty flat list (or 1-D array) of floats."""
    if isinstance(value, np.ndarray):
        return value.astype("<f8", copy=False) if value.ndim == 1 and value.size and value.dtype == np.float64 else None
    if type(value) is list and value and all(type(x) is float for x in value):
        return np.array(value, dtype="<f8")
    return None


def pack(value: Any, empty_is_null: bool = False, compress: bool = False) -> str | bytes | None:
    """The stored form of a field: a float64 BLOB for float vectors and for dicts of floats (metrics:
    their keys as JSON, a NUL, the values), (with ``compress``) compressed JSON for long text, else JSON
    text; None (NULL) for None, and with ``empty_is_null`` for an empty list or dict."""
    if value is None or (empty_is_null and not value and isinstance(value, (list, dict))):
        return None
    vector = _float_vector(value)
    if vector is not None:
        return VECTOR + vector.tobytes()
    if type(value) is dict and value and all(type(k) is str and type(v) is float for k, v in value.items()):
        keys = orjson.dumps(list(value))  # JSON escapes control characters: no NUL inside
        return FLOAT_DICT + keys + b"\x00" + np.array(list(value.values()), dtype="<f8").tobytes()
    text = dumps(value)
    if compress and text is not None and len(text) > COMPRESS_OVER:
        packed = zlib.compress(text.encode(), 6)
        if len(packed) < 0.75 * len(text):
            return ZJSON + packed
    return text


def unpack(stored: str | bytes | None, default: Any = None) -> Any:
    """A field's value from its stored form (see :func:`pack`); ValueError for a malformed BLOB."""
    if stored is None:
        return default
    if isinstance(stored, str):
        return json.loads(stored)
    tag, body = bytes(stored[:1]), bytes(stored[1:])
    if tag == VECTOR:
        return np.frombuffer(body, dtype="<f8").tolist()
    if tag == FLOAT_DICT:
        keys, _, values = body.partition(b"\x00")
        names, numbers = json.loads(keys), np.frombuffer(values, dtype="<f8").tolist()
        if not isinstance(names, list) or len(names) != len(numbers):
            raise ValueError("a packed dict of floats whose keys and values disagree")
        return dict(zip(names, numbers))
    if tag == ZJSON:
        inflater = zlib.decompressobj()
        text = inflater.decompress(body, MAX_UNPACKED)
        if inflater.unconsumed_tail:
            raise ValueError(f"a compressed field expands past {MAX_UNPACKED} bytes")
        return json.loads(text)
    raise ValueError(f"unknown stored field tag {tag!r}")


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
        pack(c.genome, compress=True),
        pack(c.metrics, empty_is_null=True),
        pack(c.descriptors),
        c.feedback,
        pack(c.parents, empty_is_null=True),
        pack(c.info, empty_is_null=True),
        c.eval_seconds,
    )


def row_candidate(row: sqlite3.Row) -> Candidate:
    """The candidate a ``candidates`` row records."""

    def load(key: str, default: Any = None) -> Any:
        return unpack(row[key], default)

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
