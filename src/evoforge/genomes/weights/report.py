"""Per-round tables and the monitors panel of self-training runs (from a run file or from candidates)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

COLUMNS = [
    ("round", "round"),
    ("operator", "step"),
    ("score", "held-out"),
    ("pass1", "pass@1"),
    ("passk", "pass@k"),
    ("majk", "maj@k"),
    ("diversity", "diversity"),
    ("gv_gap", "gv-gap"),
    ("accepted", "accepted"),
    ("dataset", "dataset"),
]


def rounds(source: str | Path | Iterable[Any]) -> list[dict[str, Any]]:
    """One dict per round: the candidate's score and monitors, in round order."""
    if isinstance(source, (str, Path)):
        from evoforge.store.run_file import RunStore

        store = RunStore.open(source)
        try:
            cands = list(store.candidates())
        finally:
            store.close()
    else:
        cands = list(source)
    out = []
    for c in cands:
        mon = {**c.info.get("monitors", {}), **(c.metrics or {})}
        out.append(
            {
                "round": c.info.get("round", c.generation),
                "operator": c.operator,
                "score": c.score,
                "status": c.status,
                "checkpoint": c.genome,
                **mon,
            }
        )
    return sorted(out, key=lambda r: r["round"])


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def round_table(source: str | Path | Iterable[Any], file: Any = None) -> str:
    """Print (and return) the per-round table of a self-training run: held-out accuracy, pass@1,
    pass@k, maj@k, answer diversity, generation-verification gap, accepted samples, dataset size."""
    rows = rounds(source)
    lengths = sorted({int(k[4:]) for r in rows for k in r if k.startswith("acc_") and k[4:].isdigit()})
    columns = COLUMNS + [(f"acc_{n}", f"{n}d") for n in lengths]  # per-length accuracy (easy-to-hard)
    columns += [(k, k) for k in _own_accuracies(rows)]
    head = [h for _, h in columns]
    body = [[_fmt(r.get(k)) for k, _ in columns] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(b, widths)) for b in body]
    text = "\n".join(lines)
    print(text, file=file)
    return text


def _own_accuracies(rows: list[dict[str, Any]]) -> list[str]:
    """The recipe's own accuracy monitors, in order of first appearance: a reward model's or judge's
    (``rm_acc``, ``judge_acc``), a self-check's (``verify_acc``), a selection's (``sel_prm``)."""
    own = (k for r in rows for k, v in r.items() if isinstance(v, float))
    keys = [k for k in own if k.endswith("_acc") or k.startswith("sel_")]
    return [k for k in dict.fromkeys(keys) if k != "heldout_acc"]


MONITORS = [
    ("score", "held-out accuracy"),
    ("pass1", "pass@1"),
    ("passk", "pass@k"),
    ("majk", "maj@k"),
    ("diversity", "answer diversity"),
    ("gv_gap", "generation-verification gap"),
    ("self_pref", "judge's self-preference"),
]


def draw_monitors(ax: Any, store: Any) -> None:
    """Per-round monitors of a self-training run: quality, diversity drift, the gaps, self-preference."""
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
