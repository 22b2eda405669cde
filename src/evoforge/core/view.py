"""What readers of a run file may know of its recipe, as plain JSON: ``show`` and ``plot`` read this
instead of unpickling the recipe. The engine stores it with its commits (meta ``view``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .archives import GridArchive

TOP_ENTRIES = 10  # entries of a ranked archive kept in the view


def recipe_view(recipe: Any) -> dict[str, Any]:
    """{"grid": the 2-D heatmap of a grid archive or None, "ranked": the size and best entries of an
    archive that is a list of entries (keep-all, open-ended) or None, "plot_extra": whether the recipe
    draws a panel}."""
    archive = recipe.archive()
    return {"grid": _grid(archive), "ranked": _ranked(archive), "plot_extra": type(recipe).draws_plot_extra()}


def _ranked(archive: Any) -> dict[str, Any] | None:
    """A list archive (or one with ``entries``): its size and best entries as ``{"id", "score"}``."""
    if archive is None or isinstance(archive, GridArchive):
        return None
    entries = getattr(archive, "entries", archive)
    if not isinstance(entries, (list, tuple)):
        return None
    rows = [row for row in map(_entry, entries) if row is not None]
    rows.sort(key=lambda row: (-row["score"], row["id"]))
    return {"size": len(entries), "top": rows[:TOP_ENTRIES]}


def _entry(entry: Any) -> dict[str, Any] | None:
    """``{"id", "score"}`` of an archive entry: a dict or an object with ``id`` and ``score`` (or ``fitness``)."""
    get = entry.get if isinstance(entry, dict) else lambda key: getattr(entry, key, None)
    cid, score = get("id"), get("score")
    score = get("fitness") if score is None else score
    if not isinstance(cid, int) or not isinstance(score, (int, float)) or not math.isfinite(score):
        return None
    return {"id": cid, "score": float(score)}


def _grid(archive: Any) -> dict[str, Any] | None:
    if not isinstance(archive, GridArchive) or len(archive.dims) < 2:
        return None
    occupied = getattr(archive, "occupied", None)  # array archives count cells without building elites
    elites = len(occupied()) if callable(occupied) else len(archive.elites)
    heat = np.asarray(archive.heatmap(), dtype=float)
    names = getattr(archive, "names", None)  # absent from archives pickled before names existed
    return {
        "axes": list(names[:2]) if names and len(names) >= 2 else None,  # readers prefer meta "axes" (the task's)
        "low": archive.low[:2].tolist(),
        "high": archive.high[:2].tolist(),
        "elites": elites,
        "coverage": float(archive.coverage),
        "heatmap": [[v if math.isfinite(v) else None for v in row] for row in heat.tolist()],
    }


def grid_heatmap(grid: dict[str, Any]) -> np.ndarray:
    """The stored heatmap as an array (NaN where a cell is empty)."""
    return np.array([[np.nan if v is None else v for v in row] for row in grid["heatmap"]], dtype=float)
