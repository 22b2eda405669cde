"""A self-consuming loop as people read it: one row per generation (for the recipe's report and answer),
the table ``evoforge show`` prints, and the panel ``evoforge plot`` draws from the stored records and
their scores (JSON only)."""

from __future__ import annotations

import math
from typing import Any

KEYS = ("precision", "recall", "diversity", "real_diversity")


def row(record: dict[str, Any], metrics: dict[str, Any], score: float | None) -> dict[str, Any]:
    """What the recipe keeps of one generation's record and its scores (None where scoring failed)."""
    out = {"generation": record.get("generation"), "source": record.get("source"), "score": score}
    out.update({k: metrics.get(k) for k in KEYS})
    out["trained_on"], out["real_in_training"] = record.get("trained_on"), record.get("real_in_training")
    return out


def table(rows: list[dict[str, Any]], *, title: str, last: int = 12) -> str:
    """The recipe's report: the loop, the real data's own scores (the estimator's ceiling) and the last
    generations."""
    lines = [title, "  generation  trained on (real)  precision  recall  diversity (real data's)"]
    shown = [r for r in rows if r["source"] == "real"][:1] + [r for r in rows if r["source"] == "model"][-last:]
    for r in shown:
        what = "real data" if r["source"] == "real" else f"{r['generation']:>10}"
        trained = "" if r["source"] == "real" else f"{r['trained_on']} ({r['real_in_training']})"
        lines.append(
            f"  {what:>10}  {trained:>17}  {_shown(r['precision'])}  {_shown(r['recall'], 6)}  "
            f"{_shown(r['diversity'], 9)} ({_shown(r['real_diversity'], 0)})"
        )
    return "\n".join(lines)


def draw(ax: Any, store: Any) -> None:
    """Precision and recall per generation against held-out real data; dashed: the real data's own."""
    found = [(c.genome, c.metrics) for c in store.candidates("ok") if isinstance(c.genome, dict)]
    model = sorted(((g["generation"], m) for g, m in found if g.get("source") == "model"), key=lambda x: x[0])
    real = next((m for g, m in found if g.get("source") == "real"), None)
    x = [g for g, _ in model]
    for key, colour in (("precision", "tab:blue"), ("recall", "tab:red")):
        ax.plot(x, [_number(m.get(key)) for _, m in model], color=colour, marker="o", ms=3, label=key)
        if real is not None:
            ax.axhline(_number(real.get(key)), color=colour, ls="--", lw=0.8, label=f"{key} of real data")
    ax.set_xlabel("generation")
    ax.set_ylabel("vs held-out real data")
    ax.set_ylim(0, 1.05)
    ax.set_title("self-consuming loop")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")


def _shown(value: Any, width: int = 9) -> str:
    return f"{value:>{width}.3f}" if isinstance(value, (int, float)) else f"{'-':>{width}}"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else float("nan")
