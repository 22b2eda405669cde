"""A Boolean-network run as people read it: one row per record (for the recipe's report and answer),
the table ``evoforge show`` prints, and the panel ``evoforge plot`` draws from the stored records and
their scores (JSON only)."""

from __future__ import annotations

import math
from typing import Any

MEASURES = ("fitness_clean", "fitness_noise", "fitness_high", "heal", "redundancy", "modularity",
            "modularity_all", "modules", "functional")  # fmt: skip


def row(record: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """What the recipe keeps of one record and its scores (None where scoring failed)."""
    out = {k: record.get(k) for k in ("generation", "noise", "fitness_best", "fitness_mean")}
    out.update({k: metrics.get(k) for k in MEASURES})
    return out


def table(rows: list[dict[str, Any]], *, title: str, noise: float, noise_high: float, last: int = 12) -> str:
    """The recipe's report: the last records, the fittest network's scores as the task measures them."""
    lines = [title, f"  generation  population best, mean  fittest at noise 0, {noise:g}, {noise_high:g}  heal  "
                    "redundancy  Q (all wires)  functional"]  # fmt: skip
    for r in rows[-last:]:
        lines.append(
            f"  {r['generation']:>10}  {r['fitness_best']:>15.3f}, {r['fitness_mean']:.3f}  "
            f"{_shown(r['fitness_clean'], 11)}, {_shown(r['fitness_noise'])}, {_shown(r['fitness_high'])}  "
            f"{_shown(r['heal'], 4, 2)}  {_shown(r['redundancy'], 10, 2)}  "
            f"{_shown(r['modularity'], 5)} ({_shown(r['modularity_all'], 0)})  {r['functional'] or '-':>10}"
        )
    return "\n".join(lines)


def draw(ax: Any, store: Any) -> None:
    """The fittest network's fitness at the task's noise and beyond, its error correction and modularity
    over generations."""
    found = [(c.genome, c.metrics) for c in store.candidates("ok") if isinstance(c.genome, dict)]
    found.sort(key=lambda gm: gm[0].get("generation", 0))
    x = [g["generation"] for g, _ in found]
    for key, label, style in (("fitness_noise", "fitness at the task's noise", "-"),
                              ("fitness_high", "fitness at higher noise", "--"),
                              ("heal", "flips corrected (heal)", ":"),
                              ("modularity", "modularity Q", "-.")):  # fmt: skip
        ax.plot(x, [_number(m.get(key)) for _, m in found], ls=style, lw=1.5, label=label)
    trained = found[0][0].get("noise") if found else None
    ax.set_xlabel("generation")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Boolean networks evolved at noise {trained:g}" if trained is not None else "Boolean networks")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")


def _shown(value: Any, width: int = 5, digits: int = 3) -> str:
    return f"{value:>{width}.{digits}f}" if isinstance(value, (int, float)) else f"{'-':>{width}}"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else float("nan")
