"""A run file as the JSON the dashboard draws: summary, score over time, operators, model usage,
failures, rejected proposals, events, the archive heat map, per-round monitors, the candidates and
the improvements tables.

Everything is read through a read-only connection inside one read transaction (one consistent snapshot
while a run is writing); nothing is unpickled, and every value is checked for its type, because a run
file from elsewhere may hold anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evoforge.readers.qd import over_time
from evoforge.store.facts import discarded, run_counts, seed_score
from evoforge.store.rows import unpack
from evoforge.store.run_file import RunStore

from . import lineage, tables
from .values import num, text

MAX_POINTS = 2_000  # score-over-time points (longer runs are thinned evenly)
MAX_GROUPS = 50  # failure / rejection reasons listed
MAX_TEXT = 20_000  # characters of free text (the recipe's report) passed on
ROUTINE_EVENTS = ("started", "finished", "resumed")


def open_run(path: str | Path) -> RunStore:
    """The run, opened read-only (format and version checked), inside a read transaction."""
    store = RunStore.open(path)
    store.begin_read()  # one snapshot for everything a request reads
    return store


def stamp(store: RunStore) -> str:
    """Changes whenever a commit, an event or the run's status changes: the page re-reads on a new stamp."""
    row = store.stamp()
    return f"{row[0]}.{row[1]}.{row[2]}.{text(store.meta('status'), 40)}"


def run_data(store: RunStore, name: str) -> dict[str, Any]:
    """Everything the page shows of one run."""
    return {
        "name": name,
        "stamp": stamp(store),
        "summary": summary(store),
        "series": series(store),
        "operators": operators(store),
        "usage": usage(store),
        "failures": grouped(store, "failed"),
        "rejected": grouped(store, "rejected"),
        "events": events(store),
        "archive": archive(store),
        "monitors": monitors(store),
        "report": text(store.meta("report"), MAX_TEXT) if store.meta("report") else "",
        "tree": lineage.tree(store),
        "candidates": tables.candidates(store),
        "improvements": tables.improvements(store),
    }


def summary(store: RunStore) -> dict[str, Any]:
    config = store.config if isinstance(store.config, dict) else {}
    last = store.last_batch() or {}
    counts = run_counts(store)
    best, seed = store.best_row(), _seed(store)
    return {
        "recipe": text(config.get("recipe"), 100),
        "task": text(config.get("task"), 200),
        "seed": num(config.get("seed")),
        "config": {text(k, 60): text(v, 200) for k, v in config.items() if v not in (None, {}, "")},
        "status": text(store.meta("status"), 40),
        "stop_reason": text(store.meta("stop_reason", ""), 300),
        "created_at": num(store.meta("created_at")),
        "finished_at": num(store.meta("finished_at")),
        "batches": store.batch_count(),
        "evaluations": num(last.get("evaluations")) or 0,
        "elapsed": num(last.get("elapsed")) or 0.0,
        **counts,
        "discarded_reasons": [{"reason": text(k, 200), "count": n} for k, n in list(discarded(store).items())[:50]],
        "best": {"id": best["id"], "score": num(best["score"]), "operator": text(best["operator"], 80)}
        if best
        else None,
        "seed_score": num(seed.get("score")) if seed and seed.get("status") == "ok" else None,
        "seed_failed": text(seed.get("reason")) if seed and seed.get("status") == "failed" else None,
    }


def _seed(store: RunStore) -> dict[str, Any] | None:
    """The seed's score as ``show`` prints it (:func:`~evoforge.store.facts.seed_score`); None for a
    value a file from elsewhere holds that is not a dict, or a seed candidate that does not decode."""
    try:
        seed = seed_score(store)
    except (ValueError, TypeError):
        return None
    return seed if isinstance(seed, dict) else None


def _thin(n: int) -> list[int]:
    """At most ``MAX_POINTS`` indices of ``range(n)``, evenly spaced, the last one included."""
    if n <= MAX_POINTS:
        return list(range(n))
    step = (n - 1) / (MAX_POINTS - 1)
    return sorted({round(i * step) for i in range(MAX_POINTS)})


def series(store: RunStore) -> dict[str, Any]:
    """Per committed batch: evaluations (x), best so far, batch median, and each operator's best so far."""
    rows = store.batch_scores()
    keep = _thin(len(rows))
    per_op: dict[str, dict[int, float]] = {}
    for batch, op, best in store.operator_best_by_batch():
        if num(best) is not None:
            per_op.setdefault(text(op, 80), {})[batch] = float(best)
    operator_best: dict[str, list[float | None]] = {}
    for op, by_batch in sorted(per_op.items()):
        running, values = None, []
        for row in rows:
            here = by_batch.get(row["batch"])
            if here is not None and (running is None or here > running):
                running = here
            values.append(running)
        operator_best[op] = [values[i] for i in keep]
    return {
        "evaluations": [num(rows[i]["evaluations"]) for i in keep],
        "best": [num(rows[i]["best_score"]) for i in keep],
        "median": [num(rows[i]["median_score"]) for i in keep],
        "operators": operator_best,
    }


def operators(store: RunStore) -> list[dict[str, Any]]:
    """Per operator: how many candidates, by status, the best and mean score of those that ran and,
    where recorded, how many children a model call made (``model_calls``) and how many none did."""
    table: dict[str, dict[str, Any]] = {}
    for op, status, n, best, mean in store.operator_stats():
        row = table.setdefault(text(op, 80), {"operator": text(op, 80), "ok": 0, "failed": 0, "rejected": 0})
        if status in ("ok", "failed", "rejected"):
            row[status] = n
        if status == "ok":
            row["best"], row["mean"] = num(best), num(mean)
    for op, (made, without) in store.calls_by_operator().items():  # where the recipe recorded it
        if text(op, 80) in table:
            table[text(op, 80)].update(model_calls=made, no_model=without)
    return sorted(table.values(), key=lambda r: -(r["ok"] + r["failed"] + r["rejected"]))


def usage(store: RunStore) -> dict[str, Any] | None:
    """Model calls, tokens and cost per operator (the meter's tags) and in total, as of the last batch."""
    last = store.last_batch() or {}
    used = last.get("usage")
    if not isinstance(used, dict) or not isinstance(used.get("total"), dict):
        return None
    fields = ("calls", "prompt_tokens", "completion_tokens", "cache_hits", "cost")

    def row(tag: str, values: Any) -> dict[str, Any]:
        values = values if isinstance(values, dict) else {}
        return {"operator": text(tag, 80) or "(untagged)", **{f: num(values.get(f)) or 0 for f in fields}}

    by_tag = used.get("by_tag") if isinstance(used.get("by_tag"), dict) else {}
    return {"rows": [row(t, v) for t, v in sorted(by_tag.items())], "total": row("total", used["total"])}


def grouped(store: RunStore, status: str) -> list[dict[str, Any]]:
    """Candidates of ``status`` grouped by the first line of their reason, most common first."""
    groups: dict[str, dict[str, Any]] = {}
    for cid, op, reason in store.reasons(status):
        key = text(reason, 10_000).strip().splitlines()[0][:200] if reason else "(no reason given)"
        group = groups.setdefault(key, {"reason": key, "count": 0, "operators": {}, "ids": []})
        group["count"] += 1
        op = text(op, 80)
        group["operators"][op] = group["operators"].get(op, 0) + 1
        if len(group["ids"]) < 20:
            group["ids"].append(cid)
    return sorted(groups.values(), key=lambda g: -g["count"])[:MAX_GROUPS]


def events(store: RunStore, limit: int = 200) -> list[dict[str, Any]]:
    """The run's events other than start, finish and resume (e.g. proposals discarded before evaluation)."""
    rows = store.recent_events(ROUTINE_EVENTS, limit)
    return [
        {"batch": r["batch"], "time": num(r["time"]), "kind": text(r["kind"], 80), "data": _event_text(r["data"])}
        for r in reversed(rows)
    ]


def _event_text(raw: Any) -> str:
    """An event's data as ``key: value`` pairs (strings as they are), or its raw text."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return text(raw, 400)
    if isinstance(value, dict):
        return text("; ".join(f"{k}: {v if isinstance(v, str) else json.dumps(v)}" for k, v in value.items()), 400)
    return text(value, 400)


def archive(store: RunStore) -> dict[str, Any] | None:
    """The archive heat map from meta ``view`` (rows of scores or null), with its axes' names, the elite
    of each cell and coverage and QD score after each batch (:mod:`evoforge.readers.qd`)."""
    view = store.meta("view")
    grid = view.get("grid") if isinstance(view, dict) else None
    if not isinstance(grid, dict) or not isinstance(grid.get("heatmap"), list):
        return None
    heat = [[num(v) for v in row] if isinstance(row, list) else [] for row in grid["heatmap"][:500]]
    heat = [row[:500] for row in heat]
    low, high = grid.get("low"), grid.get("high")
    names = store.meta("axes") or grid.get("axes")  # the task's DESCRIPTOR_NAMES
    if not (isinstance(names, list) and len(names) >= 2):
        names = ["descriptor 1", "descriptor 2"]
    qd = over_time(store)
    ids = qd["ids"] if qd and len(qd["ids"]) == len(heat) else None
    keep = _thin(len(qd["evaluations"])) if qd else []
    return {
        "heatmap": heat,
        "ids": ids,  # the elite of each cell, laid out as the heat map (None: not replayed)
        "qd": {
            **{k: [num(qd[k][i]) for i in keep] for k in ("evaluations", "coverage", "qd_score")},
            "offset": num(qd["offset"]),
        }
        if qd
        else None,
        "low": [num(v) for v in low[:2]] if isinstance(low, list) else [0.0, 1.0],
        "high": [num(v) for v in high[:2]] if isinstance(high, list) else [1.0, 1.0],
        "axes": [text(n, 80) for n in names[:2]],
        "elites": num(grid.get("elites")),
        "coverage": num(grid.get("coverage")),
    }


def monitors(store: RunStore, limit: int = 500) -> dict[str, Any] | None:
    """Per-round monitors of self-training runs (candidates' ``info.monitors`` and metrics), or None."""
    rows = []
    for cid, op, score, info, metrics in store.monitor_rows(limit):
        try:  # metrics of floats only are stored packed (store/rows.py): unpack reads every form
            info_d, metrics_d = unpack(info, {}), unpack(metrics, {})
        except (ValueError, TypeError):
            continue
        mon = info_d.get("monitors") if isinstance(info_d, dict) else None
        if not isinstance(mon, dict):
            continue
        values = {**mon, **(metrics_d if isinstance(metrics_d, dict) else {})}
        row = {text(k, 40): num(v) for k, v in values.items() if num(v) is not None}
        head = {"id": cid, "round": num(info_d.get("round")), "operator": text(op, 80), "score": num(score)}
        rows.append({**head, **row})
    if not rows:
        return None
    columns = sorted({k for r in rows for k in r} - {"id", "round", "operator", "score"})
    return {"columns": ["round", "operator", "score", *columns], "rows": rows}
