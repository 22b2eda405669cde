"""``evoforge plot``: best and median score per batch, and next to it the archive heatmap (grid
archives), the trajectories' end points (tasks that draw themselves, e.g. the hard maze) or the
per-round monitors (self-training runs)."""
from __future__ import annotations

from pathlib import Path

from .errors import StoreError
from .store import RunStore
from .view import grid_heatmap


def _maze_task(config: dict):
    """The task module when it defines ``draw(ax)`` and 2-D descriptors (e.g. hard-maze), else None."""
    from .task import load_task

    try:
        task = load_task(config.get("task", ""), config.get("task_options") or {})
    except Exception:
        return None
    bounds = task.descriptor_bounds
    return task.module if callable(task.attr("draw")) and bounds and len(bounds) == 2 else None


MONITORS = [("score", "held-out accuracy"), ("pass1", "pass@1"), ("passk", "pass@k"), ("majk", "maj@k"),
            ("diversity", "answer diversity"), ("gv_gap", "generation-verification gap"),
            ("self_pref", "judge's self-preference")]


def _draw_monitors(ax, store: RunStore) -> None:
    """Per-round monitors of a self-training run: quality, diversity drift, the gaps, self-preference."""
    from .weights.report import rounds

    rows = [r for r in rounds(store.candidates()) if r["status"] == "ok"]
    x = [r["round"] for r in rows]
    for key, label in MONITORS:
        ys = [r.get(key) for r in rows]
        if any(isinstance(y, (int, float)) for y in ys):
            ax.plot(x, [y if isinstance(y, (int, float)) else float("nan") for y in ys], marker="o", label=label)
    ax.set_xlabel("round")
    ax.set_title("monitors per round")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.legend(fontsize=8)
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
    monitors = bool(view.get("self_training"))
    maze = None if grid or monitors else _maze_task(store.config)
    wide = bool(grid or maze or monitors)

    fig, axes = plt.subplots(1, 2 if wide else 1, figsize=(12 if wide else 7, 4.5), squeeze=False)
    ax = axes[0][0]
    x = [b["batch"] for b in batches]
    ax.plot(x, [b["best_score"] for b in batches], label="best so far", lw=2)
    ax.plot(x, [b["median_score"] for b in batches], label="batch median", lw=1, alpha=0.8)
    ax.set_xlabel("batch (generation)")
    ax.set_ylabel("score (higher is better)")
    config = store.config
    ax.set_title(f"{config.get('recipe')} on {config.get('task')} (seed {config.get('seed')})")
    ax.legend()
    ax.grid(alpha=0.3)
    if grid:
        heat = axes[0][1]
        low, high = grid["low"], grid["high"]
        image = heat.imshow(grid_heatmap(grid).T, origin="lower", aspect="auto", cmap="viridis",
                            extent=[low[0], high[0], low[1], high[1]])
        heat.set_title(f"archive: {grid['elites']} elites, coverage {grid['coverage']:.1%}")
        heat.set_xlabel("descriptor 1")
        heat.set_ylabel("descriptor 2")
        fig.colorbar(image, ax=heat, label="score")
    if monitors:
        _draw_monitors(axes[0][1], store)
    if maze is not None:  # a task that draws itself (the hard maze): trajectories' end points
        ends = [c.descriptors for c in store.candidates("status = ?", ("ok",)) if c.descriptors]
        panel = axes[0][1]
        maze.draw(panel)
        if ends:
            panel.scatter([e[0] for e in ends], [e[1] for e in ends], s=4, alpha=0.4, label="end points")
        panel.set_title(f"end points of {len(ends)} evaluations")
        panel.set_aspect("equal")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
