"""A soup run as people read it: one row per record (for the recipe's report and answer), the table
``evoforge show`` prints, and the panel ``evoforge plot`` draws from the stored records (JSON only)."""

from __future__ import annotations

import math
from typing import Any

from . import INSTRUCTIONS

SHOWN = {b: chr(b) for b in INSTRUCTIONS} | {0: "0"}  # other bytes print as "_"


def render(tape: bytes) -> str:
    """A tape as BFF text: its instructions as themselves, zero bytes as ``0``, other bytes as ``_``."""
    return "".join(SHOWN.get(b, "_") for b in tape)


def row(record: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """What the recipe keeps of one record and its scores (``top_copies`` None when it failed)."""
    keys = ("epoch", "high_order", "shannon", "complexity", "unique_bytes", "unique_tapes", "ops", "top", "top_count")
    out = {k: record.get(k) for k in keys}
    out["top_share"] = record.get("top_count", 0) / max(1, record.get("tapes", 1))
    out["top_copies"] = metrics.get("top_copies")
    return out


def table(rows: list[dict[str, Any]], *, jump: float, jumped: int | None, tapes: int, last: int = 12) -> str:
    """The recipe's report: the jump (or its absence) and the last records."""
    if jumped is not None:
        head = f"bff: high-order entropy reached {jump:g} bits/byte at epoch {jumped} (replicators took over)"
    else:
        peak = max((r["high_order"] for r in rows), default=0.0)
        head = f"bff: high-order entropy stayed below {jump:g} bits/byte (peak {peak:.3f}): no takeover yet"
    lines = [
        head,
        "  epoch  high-order  shannon  complexity  distinct tapes  ops/pair  most common tape: copies, copies itself",
    ]
    for r in rows[-last:]:
        copies = "-" if r["top_copies"] is None else f"{r['top_copies']:.2f}"
        lines.append(
            f"  {r['epoch']:>5}  {r['high_order']:10.3f}  {r['shannon']:7.3f}  {r['complexity']:10.3f}  "
            f"{r['unique_tapes']:>8} / {tapes:<5}  {r['ops']:8.1f}  {r['top_count']}, {copies}"
        )
    if rows:
        lines.append(f"  most common tape at epoch {rows[-1]['epoch']}: {render(bytes.fromhex(rows[-1]['top']))}")
    return "\n".join(lines)


def draw(ax: Any, store: Any) -> None:
    """Entropies and complexity (bits per byte) over epochs, and the share of distinct tapes (right axis)."""
    records = [c.genome for c in store.candidates("ok") if isinstance(c.genome, dict) and "epoch" in c.genome]
    records.sort(key=lambda r: r["epoch"])
    x = [r["epoch"] for r in records]
    for key, label in (("high_order", "high-order entropy"), ("shannon", "Shannon entropy"),
                       ("complexity", "complexity (brotli)")):  # fmt: skip
        ax.plot(x, [_number(r.get(key)) for r in records], label=label, lw=1.5)
    ax.set_xlabel("epoch")
    ax.set_ylabel("bits per byte")
    ax.set_title("soup dynamics")
    ax.grid(alpha=0.3)
    twin = ax.twinx()
    share = [_number(r.get("unique_tapes")) / max(1, r.get("tapes", 1)) for r in records]
    twin.plot(x, share, color="tab:grey", ls="--", lw=1, label="distinct tapes (share)")
    twin.set_ylabel("distinct tapes / tapes")
    twin.set_ylim(0, 1.05)
    lines, labels = ax.get_legend_handles_labels()
    more, more_labels = twin.get_legend_handles_labels()
    ax.legend(lines + more, labels + more_labels, fontsize=8, loc="center left")


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else float("nan")
