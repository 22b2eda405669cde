"""``evoforge plot``: best and median score per batch, and next to it the archive heatmap (grid
archives, with their coverage and QD score over evaluations), the recipe's own panel
(``Recipe.plot_extra``: e.g. a self-training run's per-round monitors) or the trajectories' end points
(tasks that draw themselves, e.g. the hard maze).

Nothing a run file names is imported or run here: a task's drawing of its world is JSON the run stored
(meta ``drawing``, :mod:`evoforge.core.drawing`); a run file without one is plotted without it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from evoforge.core.drawing import replay
from evoforge.core.errors import StoreError
from evoforge.core.view import grid_heatmap
from evoforge.store.run_file import RunStore

from .qd import over_time


def _plot_extra(store: RunStore) -> Any:
    """The run's recipe class's own panel (a classmethod reading the store: no recipe state is loaded)."""
    from evoforge.core.errors import ConfigError
    from evoforge.recipes.registry import get_recipe

    try:
        cls = get_recipe(str(store.config.get("recipe")))
    except ConfigError:
        return None
    return cls.plot_extra if cls.draws_plot_extra() else None


def _xy(descriptors: Any) -> bool:
    """Whether a stored candidate's descriptors start with a point (x, y) of finite numbers."""
    import math

    head = descriptors[:2] if isinstance(descriptors, (list, tuple)) else ()
    return len(head) == 2 and all(isinstance(v, (int, float)) and math.isfinite(v) for v in head)


def _plot_qd(ax: Any, qd: dict[str, Any]) -> None:
    """Coverage (left axis) and QD score (right axis) of the grid archive over evaluations."""
    ax.step(qd["evaluations"], [c * 100 for c in qd["coverage"]], where="post", color="tab:green", label="coverage")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("coverage (% of cells)", color="tab:green")
    twin = ax.twinx()
    twin.step(qd["evaluations"], qd["qd_score"], where="post", color="tab:purple", label="QD score")
    twin.set_ylabel(f"QD score (sum of elite score - {qd['offset']:.4g})", color="tab:purple")
    ax.set_title("archive over time")
    ax.grid(alpha=0.3)


def plot_run(store: RunStore, path: str | Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    batches = store.batches()
    if not batches:
        raise StoreError(f"{store.path} has no committed batch to plot yet")
    view = store.meta("view") or {}  # the recipe as JSON; a run file's pickled state is never loaded here
    grid = view.get("grid")
    extra = _plot_extra(store) if view.get("plot_extra") else None
    drawing = None if grid or extra else store.meta("drawing")  # the task's world, as JSON the run stored
    maze = isinstance(drawing, dict)
    wide = bool(grid or maze or extra)
    qd = over_time(store) if grid else None
    panels = 1 + wide + (qd is not None)

    fig, axes = plt.subplots(1, panels, figsize=(6 * panels if wide else 7, 4.5), squeeze=False)
    ax = axes[0][0]
    x = [b["batch"] for b in batches]
    best = [b["best_score"] for b in batches]
    medians = [b["median_score"] for b in batches]
    ax.plot(x, best, label="best so far", lw=2)
    clipped = _focus_on_best(ax, best, medians)
    ax.plot(x, medians, label="batch median" + (" (clipped)" if clipped else ""), lw=1, alpha=0.8)
    _mark_ends(ax, x, best)
    ax.set_xlabel("batch (generation)")
    ax.set_ylabel("score (higher is better)")
    config = store.config
    ax.set_title(f"{config.get('recipe')} on {config.get('task')} (seed {config.get('seed')})")
    ax.legend()
    ax.grid(alpha=0.3)
    if qd is not None:
        _plot_qd(axes[0][1], qd)
    if grid:
        heat = axes[0][-1]
        low, high = grid["low"], grid["high"]
        image = heat.imshow(
            grid_heatmap(grid).T,
            origin="lower",
            aspect="auto",
            cmap="viridis",
            extent=[low[0], high[0], low[1], high[1]],
        )
        heat.set_title(f"archive: {grid['elites']} elites, coverage {grid['coverage']:.1%}")
        axes = store.meta("axes") or grid.get("axes")  # named by the task (DESCRIPTOR_NAMES)
        axes = axes if isinstance(axes, list) and len(axes) >= 2 else ["descriptor 1", "descriptor 2"]
        heat.set_xlabel(str(axes[0])[:80])
        heat.set_ylabel(str(axes[1])[:80])
        fig.colorbar(image, ax=heat, label="score")
    if extra:  # the recipe's own panel (e.g. a self-training run's per-round monitors)
        extra(axes[0][1], store)
    if maze:  # a task that draws itself (the hard maze): trajectories' end points on its drawing
        ends = [c.descriptors[:2] for c in store.candidates("ok") if _xy(c.descriptors)]
        panel = axes[0][1]
        replay(panel, drawing)
        if ends:
            panel.scatter([e[0] for e in ends], [e[1] for e in ends], s=4, alpha=0.4, label="end points")
        panel.set_title(f"end points of {len(ends)} evaluations")
        panel.set_aspect("equal")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _finite(values: list) -> list[float]:
    return [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def _focus_on_best(ax: Any, best: list, medians: list) -> bool:
    """Fit the y axis to the best-so-far curve when batch medians would flatten it (a failed or far
    worse child pulls a median far down); True when some medians lie outside, clipped."""
    top, all_values = _finite(best), _finite(best) + _finite(medians)
    if not top or not all_values:
        return False
    span = max(top) - min(top)
    pad = span * 0.4 if span > 0 else max(abs(max(top)) * 0.05, 1e-9)
    low, high = min(top) - pad, max(top) + pad * 0.5
    if min(all_values) >= low and max(all_values) <= high:
        return False
    if span == 0 and min(all_values) >= min(top) - 10 * pad:
        return False  # nothing moved and the medians are near: the full range says more
    ax.set_ylim(low, high)
    return True


def _mark_ends(ax: Any, x: list, best: list) -> None:
    """Write the first and last best-so-far values beside the curve."""
    points = [(xi, float(b)) for xi, b in zip(x, best) if isinstance(b, (int, float)) and math.isfinite(b)]
    if len(points) < 2 or points[0][1] == points[-1][1]:
        return
    for (xi, value), where in ((points[0], "left"), (points[-1], "right")):
        ax.annotate(f"{value:.4g}", (xi, value), textcoords="offset points", xytext=(0, 6), ha=where, fontsize=8)
