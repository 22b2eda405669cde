"""The dashboard's two tables: candidates (to sort, filter and search in the page) and improvements
(each new best: when, by which operator, from which parent, by how much)."""

from __future__ import annotations

from typing import Any

from evoforge.store.rows import unpack
from evoforge.store.run_file import RunStore

from .genome_text import genome_text
from .lineage import parent_map
from .values import num, text

MAX_ROWS = 2_000  # candidates in the table: the best half and the newest half of a larger run
SEARCH_CHARS = 4_000  # of each genome's text, searched by the page
METRIC_COLUMNS = 4  # numeric metrics shown as columns (the most common ones)


def _decoded(raw: Any) -> Any:
    try:
        return unpack(raw, None)
    except (ValueError, TypeError):
        return None


def candidates(store: RunStore) -> dict[str, Any]:
    """{"rows": [{id, b, op, st, s, m: {metric: number}, g: genome text}], "metrics": columns, "total"}."""
    total = store.count()
    picked = {r["id"]: r for r in store.table_rows("best", MAX_ROWS // 2)} if total > MAX_ROWS else {}
    for r in store.table_rows("newest", MAX_ROWS - len(picked)):
        picked.setdefault(r["id"], r)
    rows, seen = [], {}
    for cid in sorted(picked):
        r = picked[cid]
        metrics = _decoded(r["metrics"])
        numbers = {text(k, 40): num(v) for k, v in metrics.items()} if isinstance(metrics, dict) else {}
        numbers = {k: v for k, v in numbers.items() if v is not None}
        for k in numbers:
            seen[k] = seen.get(k, 0) + 1
        genome = _decoded(r["genome"])
        rows.append({
            "id": cid, "b": r["batch"] if isinstance(r["batch"], int) else None, "op": text(r["operator"], 80),
            "st": text(r["status"], 20), "s": num(r["score"]), "m": numbers,
            "g": text(genome_text(genome) if genome is not None else "", SEARCH_CHARS),
        })  # fmt: skip
    columns = sorted(seen, key=lambda k: (-seen[k], k))[:METRIC_COLUMNS]
    return {"rows": rows, "metrics": columns, "total": total}


def improvements(store: RunStore) -> list[dict[str, Any]]:
    """Each candidate that beat every earlier one: its batch, evaluations and seconds at that batch,
    operator, first parent (and its score), score and gain over the best before it."""
    batches = {r["batch"]: r for r in store.batch_scores()}
    parents = parent_map(store)
    scores: dict[int, float | None] = {}
    out: list[dict[str, Any]] = []
    best: float | None = None
    for r in store.tree_rows():
        score = num(r["score"]) if r["status"] == "ok" else None
        scores[r["id"]] = score
        if score is None or (best is not None and score <= best):
            continue
        batch = batches.get(r["batch"])
        parent = (parents.get(r["id"]) or [None])[0]
        out.append({
            "id": r["id"], "batch": r["batch"] if isinstance(r["batch"], int) else None,
            "evaluations": num(batch["evaluations"]) if batch else None,
            "elapsed": num(batch["elapsed"]) if batch else None, "operator": text(r["operator"], 80),
            "parent": parent, "parent_score": scores.get(parent) if parent is not None else None,
            "score": score, "gain": score - best if best is not None else None,
        })  # fmt: skip
        best = score
    return out
