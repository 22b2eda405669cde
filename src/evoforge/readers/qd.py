"""Quality-diversity over time: the grid archive's heat map replayed from the stored candidates (their
descriptors and scores, in id order), so that ``show``, ``plot`` and the dashboard can draw coverage and
QD score after every batch and name the elite of every cell. The replay uses the heat map's own grid
(first two descriptors, the range and shape the run stored in meta ``view``); where it does not give
back the stored heat map (a CVT archive, a file from elsewhere) there is no replay."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

from evoforge.store.rows import unpack
from evoforge.store.run_file import RunStore

SHOW_POINTS = 6  # rows of show's coverage table


def _cell(desc: Any, low: list[float], high: list[float], shape: tuple[int, int]) -> tuple[int, int] | None:
    """The heat-map cell of a descriptor vector (as GridArchive.index bins it), or None."""
    if not isinstance(desc, list) or len(desc) < 2:
        return None
    out = []
    for k in range(2):
        v = desc[k]
        if not isinstance(v, (int, float)) or not math.isfinite(v) or high[k] <= low[k]:
            return None
        out.append(min(max(int((v - low[k]) / (high[k] - low[k]) * shape[k]), 0), shape[k] - 1))
    return out[0], out[1]


def over_time(store: RunStore) -> dict[str, Any] | None:
    """{"evaluations", "coverage", "qd_score"} after each batch (coverage: the share of the heat map's
    cells filled; QD score: the sum over them of elite score - ``offset``, where ``offset`` is 0 or, if
    lower, the lowest score that entered the archive, so that it never falls as cells fill), "offset"
    and "ids" (the elite of each cell, laid out as the heat map), or None for a run without a grid
    archive or whose heat map the replay misses."""
    view = store.meta("view")
    grid = view.get("grid") if isinstance(view, dict) else None
    heat = grid.get("heatmap") if isinstance(grid, dict) else None
    if not isinstance(heat, list) or not heat or not all(isinstance(r, list) and r for r in heat):
        return None
    low, high = grid.get("low"), grid.get("high")
    if not (isinstance(low, list) and isinstance(high, list) and len(low) >= 2 and len(high) >= 2):
        return None
    shape = (len(heat), len(heat[0]))
    cells: dict[tuple[int, int], tuple[float, int]] = {}
    by_batch: dict[int, tuple[int, float]] = {}
    total, offset = 0.0, 0.0
    for cid, batch, score, raw in store.descriptor_rows():
        if not isinstance(score, (int, float)) or not math.isfinite(score):
            continue
        try:
            cell = _cell(unpack(raw, None), low, high, shape)
        except (ValueError, TypeError):
            continue
        if cell is None:
            continue
        held = cells.get(cell)
        if held is None or score > held[0]:
            total += score - (held[0] if held else 0.0)
            cells[cell] = (float(score), int(cid))
            offset = min(offset, float(score))
        by_batch[batch] = (len(cells), total)
    stored = {(i, j) for i, row in enumerate(heat) for j, v in enumerate(row) if v is not None}
    if not cells or not stored <= set(cells):
        return None
    evaluations, coverage, qd = [], [], []
    filled, score = 0, 0.0
    for row in store.batch_scores():
        filled, score = by_batch.get(row["batch"], (filled, score))
        evaluations.append(row["evaluations"])
        coverage.append(filled / (shape[0] * shape[1]))
        qd.append(score - offset * filled)
    ids = [[cells[(i, j)][1] if (i, j) in cells else None for j in range(shape[1])] for i in range(shape[0])]
    return {"evaluations": evaluations, "coverage": coverage, "qd_score": qd, "offset": offset, "ids": ids}


def print_qd(store: RunStore, console: Console) -> None:
    """``show``'s coverage and QD score at a few points of a run with a grid archive."""
    qd = over_time(store)
    if qd is None or not qd["evaluations"]:
        return
    n = len(qd["evaluations"])
    points = sorted({round(k * (n - 1) / (SHOW_POINTS - 1)) for k in range(SHOW_POINTS)})
    steps = ", ".join(f"{qd['evaluations'][i]}: {qd['coverage'][i]:.1%} / {qd['qd_score'][i]:.4g}" for i in points)
    line = f"coverage / QD score (elite score - {qd['offset']:.4g}, summed) over evaluations: {steps}"
    console.print(line, markup=False, highlight=False)
