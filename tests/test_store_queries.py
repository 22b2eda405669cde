"""SQL lives in the store: readers ask ``RunStore`` by value (``store/queries.py``)."""

from __future__ import annotations

import pathlib
import re

from evoforge import RunStore, evolve

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "evoforge"
SQL = re.compile(r"\.execute\(|\bSELECT\b|\bWHERE\b|\.count\([\"']|where=")


def test_no_sql_outside_the_store():
    """Only the store (and the model layer's own response cache) speaks SQL."""
    allowed = {SRC / "llm" / "cache.py"}
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if "store" not in path.relative_to(SRC).parts[:1] and path not in allowed
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if SQL.search(line) and "SELECT_SEED" not in line and 'where="post"' not in line
    ]
    assert not found


def test_queries_by_value(tmp_path):
    out = tmp_path / "r.db"
    evolve("onemax", "ga", budget=96, seed=2, executor="inprocess", out=out)
    store = RunStore.open(out)
    try:
        counts = store.count_by_status()
        assert sum(counts.values()) == store.count() and counts.get("ok", 0) == store.count("ok")
        assert store.count(exclude="rejected") == store.count() - counts.get("rejected", 0)
        assert [c.id for c in store.candidates("ok", limit=3)] == sorted(c.id for c in store.candidates("ok", limit=3))
        newest = next(store.candidates(newest_first=True, limit=1))
        assert newest.id == max(c.id for c in store.candidates())
        assert sum(n for _, n in store.count_reasons("rejected")) == counts.get("rejected", 0)
        assert store.batch_count() == len(store.batches()) and store.best_row()["id"] == store.best().id
    finally:
        store.close()
