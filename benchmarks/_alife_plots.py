"""The figures of alife_systems.py, one PNG per system under docs/img/ (alife-<system>.png), drawn from the
recorded rows: medians over seeds per configuration."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def median_curve(rows: list[dict], key: str) -> tuple[list[Any], list[float]]:
    """The x values and the per-point median of ``key`` over the rows (as long as the shortest)."""
    length = min(len(r[key]) for r in rows)
    xs = rows[0]["x"] if len(rows[0]["x"]) == len(rows[0][key]) else rows[0]["x"][-length:]
    ys = [statistics.median(r[key][i] for r in rows if r[key][i] is not None) for i in range(length)]
    return xs[:length], ys


def cumulative(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


def draw(system: str, groups: dict[str, list[dict]]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, cols = {"boolean-networks": (1, 2), "gard": (2, 2), "nn-quine": (1, 3)}[system]
    fig, axes = plt.subplots(rows, cols, figsize=(5.6 * cols, 4.4 * rows))
    {"boolean-networks": _boolnets, "gard": _gard, "nn-quine": _quine}[system](axes.reshape(-1), groups)
    fig.tight_layout()
    path = ROOT / "docs" / "img" / f"alife-{system}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _boolnets(axes: Any, groups: dict[str, list[dict]]) -> None:
    seeds = max((len(rows) for rows in groups.values()), default=0)
    for i, (name, rows) in enumerate(groups.items()):
        colour = f"C{i}"
        for key, style, what in (("fitness_noise", "-", "at noise 0.02"), ("fitness_high", "--", "at 0.04")):
            axes[0].plot(*median_curve(rows, key), color=colour, ls=style, label=f"{name}: {what}")
        axes[1].plot(*median_curve(rows, "heal"), color=colour, label=f"{name}: heal")
        axes[1].plot(*median_curve(rows, "modularity"), color=colour, ls=":", label=f"{name}: modularity Q")
    axes[0].set_title(f"fittest network's fitness under noise (median of {seeds} seeds)")
    axes[0].set_ylabel("share of output bits on target")
    axes[1].set_title("error correction (heal) and modularity")
    for ax in axes:
        ax.set_xlabel("generation")
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")


def _gard(axes: Any, groups: dict[str, list[dict]]) -> None:
    from evoforge.genomes.protocells.similarity import carpet

    for i, (name, rows) in enumerate(groups.items()):
        colour = f"C{i}"
        if name != "control: uniform beta":
            for key, style in (("between", "--"), ("within", ":")):
                x, y = median_curve([{**r, key: cumulative(r[key])} for r in rows], key)
                axes[0].plot(x, y, color=colour, ls=style, label=f"{name}: {key}")
        axes[1].plot(*median_curve(rows, "fidelity"), color=colour, label=name)
    axes[0].axhline(0, color="black", lw=0.6)
    axes[0].set_title("Price equation: summed terms (median of seeds)")
    axes[0].set_ylabel("change of mean log10 catalytic activity")
    axes[1].set_title("replication fidelity (H between consecutive splits)")
    axes[1].set_ylim(0.5, 1.02)
    for ax in axes[:2]:
        ax.set_xlabel("generation")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for ax, name in zip(axes[2:], ("competing", "control: uniform beta")):
        focal = next((r["focal"] for r in groups.get(name, []) if r.get("focal")), None)
        if focal:
            image = ax.imshow(carpet(focal), vmin=0, vmax=1, cmap="viridis", origin="lower")
            ax.figure.colorbar(image, ax=ax, fraction=0.046)
        ax.set_title(f"carpet of the focal lineage: {name}")
        ax.set_xlabel("split")
        ax.set_ylabel("split")


def _quine(axes: Any, groups: dict[str, list[dict]]) -> None:
    for i, (name, rows) in enumerate(groups.items()):
        colour = f"C{i}"
        axes[0].semilogy(*median_curve(rows, "replication_error"), color=colour, label=name)
        axes[1].plot(*median_curve(rows, "accuracy"), color=colour, label=name)
        if name != "XOR alone":
            axes[2].semilogy(*_drift(rows, "trained_drift"), color=colour, marker="o", ms=3, label=f"{name}: trained")
    random = [r for rows in groups.values() for r in rows if r["random_drift"]]
    if random:
        axes[2].semilogy(*_drift(random, "random_drift"), color="grey", ls="--", marker="o", ms=3, label="random net")
    axes[0].set_title("self-replication error (median of seeds)")
    axes[0].set_xlabel("training step")
    axes[1].set_title("held-out XOR accuracy")
    axes[1].set_xlabel("training step")
    axes[1].set_ylim(0, 1.05)
    axes[2].axhline(0.5, color="black", lw=0.6)
    axes[2].set_title("regeneration: copy's distance from the weights")
    axes[2].set_xlabel("copies (R applied again)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")


def _drift(rows: list[dict], key: str) -> tuple[list[int], list[float]]:
    """Copies 1, 2, ... and the median over rows of each copy's relative distance from the weights."""
    copies = range(len(rows[0][key]))
    return [j + 1 for j in copies], [statistics.median(r[key][j] for r in rows) for j in copies]
