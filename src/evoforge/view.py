"""What readers of a run file may know of its recipe, as plain JSON: ``show`` and ``plot`` read this
instead of unpickling the recipe. The engine stores it with its commits (meta ``view``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .archives import GridArchive


def recipe_view(recipe: Any) -> dict[str, Any]:
    """{"grid": the 2-D heatmap of a grid archive or None, "plot_extra": whether the recipe draws a panel}."""
    try:
        archive = recipe.archive()
    except Exception:  # a view is an extra: a recipe whose archive is not ready has none
        archive = None
    return {"grid": _grid(archive), "plot_extra": type(recipe).draws_plot_extra()}


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
