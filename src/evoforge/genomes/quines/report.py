"""A quine run as people read it: one row per record (for the recipe's report and answer), the table
``evoforge show`` prints, and the panel ``evoforge plot`` draws from the stored records' scores (JSON
only): the self-replication error (log scale) and held-out accuracy over training steps."""

from __future__ import annotations

import math
from typing import Any

MEASURES = ("replication_error", "accuracy", "drift", "lifetime", "last_norm", "spectral_radius", "norm")


def row(record: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """What the recipe keeps of one record and its scores (None where scoring failed)."""
    out = {k: record.get(k) for k in ("step", "sr_train", "ce_train")}
    out.update({k: metrics.get(k) for k in MEASURES})
    return out


def table(rows: list[dict[str, Any]], *, title: str, last: int = 12) -> str:
    """The recipe's report: the random net first, then the last records."""
    lines = [title, "  step  replication error  held-out accuracy  copies within 0.5  drift after 1, 2, 4, 8 copies  "
                    "spectral radius  weight norm"]  # fmt: skip
    for r in (rows[:1] + rows[1:][-last:]) if rows else []:
        drift = r["drift"] or []
        shown = ", ".join(f"{drift[i]:.3g}" for i in (0, 1, 3, 7) if i < len(drift)) or "-"
        lines.append(
            f"  {r['step']:>4}  {_shown(r['replication_error'], 17, 4)}  {_shown(r['accuracy'], 17)}  "
            f"{r['lifetime'] if r['lifetime'] is not None else '-':>17}  {shown:>29}  "
            f"{_shown(r['spectral_radius'], 15)}  {_shown(r['norm'], 11)}"
        )
    return "\n".join(lines)


def draw(ax: Any, store: Any) -> None:
    """Self-replication error (log scale) and held-out accuracy (right axis) per training step."""
    found = sorted(((c.genome.get("step", 0), c.metrics) for c in store.candidates("ok") if isinstance(c.genome, dict)),
                   key=lambda sm: sm[0])  # fmt: skip
    x = [s for s, _ in found]
    ax.semilogy(x, [_number(m.get("replication_error")) for _, m in found], color="tab:blue", lw=1.5,
                label="self-replication error")  # fmt: skip
    ax.set_xlabel("training step")
    ax.set_ylabel("||R(theta) - theta|| / ||theta||")
    ax.set_title("neural-network quine")
    ax.grid(alpha=0.3)
    twin = ax.twinx()
    twin.plot(x, [_number(m.get("accuracy")) for _, m in found], color="tab:red", lw=1, ls="--",
              label="held-out accuracy (auxiliary task)")  # fmt: skip
    twin.set_ylim(0, 1.05)
    lines, labels = ax.get_legend_handles_labels()
    more, more_labels = twin.get_legend_handles_labels()
    ax.legend(lines + more, labels + more_labels, fontsize=8, loc="lower left")


def _shown(value: Any, width: int = 5, digits: int = 3) -> str:
    return f"{value:>{width}.{digits}f}" if isinstance(value, (int, float)) else f"{'-':>{width}}"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else float("nan")
