"""A GARD run as people read it: one row per record (for the recipe's report and answer), the table
``evoforge show`` prints, and the panel ``evoforge plot`` draws from the stored records and their scores
(JSON only): the Price equation's terms summed over the run, and replication fidelity."""

from __future__ import annotations

import math
from typing import Any

from .similarity import composomes

MEASURES = ("activity", "total", "between", "within", "gap", "fidelity", "focal_fidelity", "similarity",
            "composomes", "in_composomes")  # fmt: skip


def row(record: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """What the recipe keeps of one record and its scores (None where scoring failed)."""
    out = {k: record.get(k) for k in ("generation", "time", "splits")}
    out.update({k: metrics.get(k) for k in MEASURES})
    return out


def table(rows: list[dict[str, Any]], *, title: str, focal: list[list[int]], last: int = 12) -> str:
    """The recipe's report: the Price terms summed over the run, the focal lineage's composomes, then the
    last records."""
    found, share = composomes(focal)
    scored = [r for r in rows[1:] if r["between"] is not None]
    sums = {k: sum(r[k] for r in scored) for k in ("total", "between", "within")}
    lines = [title, f"  over {len(scored)} records: change of mean activity {sums['total']:+.4f} = between assemblies "
                    f"{sums['between']:+.4f} + within {sums['within']:+.4f}",
             f"  focal lineage: {len(focal)} splits, {found} composomes (H >= 0.9 to a cluster's first member, 3 or "
             f"more members) holding {share:.0%} of its compositions",
             "  generation  mean activity  change  between  within  fidelity  focal  similarity"]  # fmt: skip
    for r in rows[-last:]:
        lines.append(
            f"  {r['generation']:>10}  {_shown(r['activity'], 13, 4)}  {_shown(r['total'], 6, 4, '+')}  "
            f"{_shown(r['between'], 7, 4, '+')}  {_shown(r['within'], 6, 4, '+')}  {_shown(r['fidelity'], 8)}  "
            f"{_shown(r['focal_fidelity'], 5)}  {_shown(r['similarity'], 10)}"
        )
    return "\n".join(lines)


def draw(ax: Any, store: Any) -> None:
    """The Price terms summed record by record (left axis) and replication fidelity (right axis)."""
    found = [(c.genome, c.metrics) for c in store.candidates("ok") if isinstance(c.genome, dict)]
    found = sorted(((g["generation"], m) for g, m in found if g.get("splits")), key=lambda gm: gm[0])
    x = [g for g, _ in found]
    for key, label, style in (("total", "change of mean activity", "-"), ("between", "between assemblies", "--"),
                              ("within", "within assemblies", ":")):  # fmt: skip
        running, ys = 0.0, []
        for _, m in found:
            running += _number(m.get(key))
            ys.append(running)
        ax.plot(x, ys, ls=style, lw=1.5, label=label)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("generation")
    ax.set_ylabel("summed change (log10 activity)")
    ax.set_title("GARD: multilevel Price equation")
    ax.grid(alpha=0.3)
    twin = ax.twinx()
    twin.plot(x, [_number(m.get("fidelity")) for _, m in found], color="tab:grey", lw=1, label="fidelity (H)")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("H between consecutive splits")
    lines, labels = ax.get_legend_handles_labels()
    more, more_labels = twin.get_legend_handles_labels()
    ax.legend(lines + more, labels + more_labels, fontsize=8, loc="lower left")


def _shown(value: Any, width: int = 5, digits: int = 3, sign: str = "") -> str:
    return f"{value:>{sign}{width}.{digits}f}" if isinstance(value, (int, float)) else f"{'-':>{width}}"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else float("nan")
