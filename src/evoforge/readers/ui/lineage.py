"""The lineage tree of a run (who descends from whom, with scores) and one candidate in full: its
genome and the text diff against its first parent."""

from __future__ import annotations

import json
from typing import Any

from evoforge.store.rows import unpack
from evoforge.store.run_file import RunStore

from .genome_text import genome_text, text_diff
from .model_call import call_json
from .values import num as _num

MAX_NODES = 600  # larger runs show the ancestry of their best candidates and the newest ones
TOP = 30
NEWEST = 200


def tree(store: RunStore) -> dict[str, Any]:
    """Nodes {id, b: batch, op, s: score, st: status, p: parents shown} of evaluated candidates."""
    rows = store.tree_rows()
    parents = _parents(store)
    total = len(rows)
    if total > MAX_NODES:
        scored = [r for r in rows if r["status"] == "ok" and _num(r["score"]) is not None]
        ranked = sorted(scored, key=lambda r: -r["score"])
        keep = _ancestry([r["id"] for r in ranked[:TOP]], parents, MAX_NODES - NEWEST)
        keep.update(r["id"] for r in rows[-NEWEST:])
        rows = [r for r in rows if r["id"] in keep]
    shown = {r["id"] for r in rows}
    nodes = [
        {
            "id": r["id"],
            "b": r["batch"] if isinstance(r["batch"], int) else 0,
            "op": str(r["operator"])[:80],
            "s": _num(r["score"]),
            "st": str(r["status"])[:20],
            "p": [p for p in parents.get(r["id"], []) if p in shown],
        }
        for r in rows
    ]
    return {"nodes": nodes, "total": total}


def parent_map(store: RunStore) -> dict[int, list[int]]:
    """{child: its parent ids} of every candidate with parents (also read by the improvements table)."""
    return _parents(store)


def _parents(store: RunStore) -> dict[int, list[int]]:
    """{child: its parent ids} from the candidates' parents column (a malformed value counts as none)."""
    out: dict[int, list[int]] = {}
    for cid, raw in store.parent_fields():
        ids = _ids(raw)
        if ids:
            out[cid] = ids
    return out


def _ids(raw: Any) -> list[int]:
    """The parent ids a stored parents field names; [] when it is not a JSON list of ints."""
    try:
        value = unpack(raw, [])
    except ValueError:
        return []
    return [p for p in value if type(p) is int] if isinstance(value, list) else []


def _children(store: RunStore, cid: int, limit: int = 50) -> list[int]:
    """Ids of the candidates that name ``cid`` among their parents (the text filter only narrows the scan)."""
    found = []
    for child, raw in store.parent_fields_naming(cid):
        if cid in _ids(raw):
            found.append(child)
            if len(found) >= limit:
                break
    return found


def _ancestry(ids: list[int], parents: dict[int, list[int]], limit: int) -> set[int]:
    """``ids`` and their ancestors, breadth first, at most ``limit`` of them."""
    keep: set[int] = set()
    frontier = list(ids)
    while frontier and len(keep) < limit:
        cid = frontier.pop(0)
        if cid in keep:
            continue
        keep.add(cid)
        frontier.extend(parents.get(cid, []))
    return keep


def _short(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    s = value if isinstance(value, str) else json.dumps(value, default=str)
    return s if len(s) <= limit else s[:limit] + "..."


def candidate(store: RunStore, cid: int) -> dict[str, Any] | None:
    """One candidate in full (genome as text, diff against its first parent), or None if it is not there."""
    try:
        cand = store.candidate(cid)
        first = store.candidate(cand.parents[0]) if cand and cand.parents and isinstance(cand.parents[0], int) else None
    except (ValueError, TypeError) as err:  # a malformed row: say so, show nothing of it
        return {"id": cid, "error": f"unreadable candidate ({type(err).__name__})"}
    if cand is None:
        return None
    genome = genome_text(cand.genome)
    children = _children(store, cid)
    return {
        "id": cand.id,
        "operator": _short(cand.operator, 80),
        "status": _short(cand.status, 20),
        "reason": _short(cand.reason, 5000),
        "score": _num(cand.score),
        "generation": cand.generation if isinstance(cand.generation, int) else None,
        "parents": [p for p in cand.parents if isinstance(p, int)][:20] if isinstance(cand.parents, list) else [],
        "children": children,
        "metrics": _short(cand.metrics, 3000) if cand.metrics else None,
        "descriptors": _short(cand.descriptors, 300),
        "feedback": _short(cand.feedback, 5000),
        "info": _short(cand.info, 3000) if cand.info else None,
        "eval_seconds": _num(cand.eval_seconds),
        "genome": genome,
        "parent": first.id if first else None,
        "diff": text_diff(genome_text(first.genome), genome) if first else None,
        "call": call_json(store, cand.id),
    }
