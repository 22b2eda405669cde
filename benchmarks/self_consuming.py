"""Self-consuming loops (recipe ``self-consuming`` on task ``gaussian-ring``): precision and recall against
held-out real data, generation after generation, in the three regimes of "Self-Consuming Generative Models
Go MAD" (fully synthetic, synthetic augmentation with fixed real data, fresh real data), with sampling bias
lambda < 1 in the fully synthetic loop, and with the corrections of "Self-Correcting Self-Consuming Loops"
at several strengths. One run per configuration and seed, each the ``evoforge run`` command in its row
(run in-process through ``evolve``); one row per run is appended to benchmarks/results/self_consuming.jsonl::

    python benchmarks/self_consuming.py --seeds 0 1 2 3 4          # every configuration, then table and plot
    python benchmarks/self_consuming.py --configs fresh --seeds 0  # one configuration
    python benchmarks/self_consuming.py --table
    python benchmarks/self_consuming.py --plot docs/img/self-consuming.png   # the figure from the rows

The table shows medians over seeds at generation 1 (trained on real data), 10 and the last; the real
data's own scores (the estimator's ceiling at this sample size) are in the first row.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "self_consuming.jsonl"
FIGURE = ROOT / "docs" / "img" / "self-consuming.png"
PAPERS = (
    "Papers: MAD (Alemohammad et al., 2024): without enough fresh real data each generation, precision or "
    "recall decline; lambda < 1 keeps precision and loses recall faster; fixed real data only delays the "
    "decline; fresh data keeps both. Self-correcting loops (Gillman et al., 2024): a correction of the "
    "synthetic data stabilises the loop, more so with strength"
)

# name -> (panel of the figure, recipe parameters); every other parameter is the recipe's default
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "fully synthetic": ("regimes", {"regime": "fully-synthetic"}),
    "augmentation": ("regimes", {"regime": "augmentation", "real": 100}),
    "fresh": ("regimes", {"regime": "fresh", "real": 100}),
    "fully synthetic, lambda 0.9": ("bias", {"regime": "fully-synthetic", "bias": 0.9}),
    **{f"projection s={s:g}": ("projection", {"correction": s, "correction_kind": "projection"})
       for s in (0.25, 0.5, 1)},
    **{f"ideal s={s:g}": ("ideal", {"correction": s, "correction_kind": "ideal"}) for s in (0.05, 0.25, 0.5, 1)},
}  # fmt: skip


def command(params: dict[str, Any], seed: int) -> list[str]:
    """The ``evoforge run`` command of one run (without ``--out``)."""
    cmd = ["evoforge", "run", "self-consuming", "--task", "gaussian-ring", "--seed", str(seed)]
    cmd += ["--executor", "inprocess"]
    return cmd + [x for k, v in params.items() for x in ("--set", f"{k}={v}")]


def curves(run_file: Path) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The real data's scores and each generation's (precision, recall), read-only from the run file."""
    from evoforge import RunStore

    store = RunStore.open(run_file)
    try:
        found = [(c.genome, c.metrics) for c in store.candidates("ok")]
    finally:
        store.close()
    real = next(m for g, m in found if g["source"] == "real")
    model = sorted((g["generation"], m) for g, m in found if g["source"] == "model")
    return real, [m for _, m in model]


def run(name: str, params: dict[str, Any], seed: int, generations: int, work: Path) -> dict[str, Any]:
    from evoforge.run.api import evolve

    params = {**params, "generations": generations}
    run_file = work / f"{name.replace(' ', '_').replace(',', '')}-seed{seed}.db"
    load0, cpu0, start = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_SELF), time.time()
    evolve("gaussian-ring", "self-consuming", budget=None, seed=seed, out=run_file, executor="inprocess",
           recipe_params=params)  # fmt: skip
    wall, cpu1 = time.time() - start, resource.getrusage(resource.RUSAGE_SELF)
    real, model = curves(run_file)
    return {
        "system": "evoforge self-consuming", "config": name, "seed": seed, "params": params,
        "job": shlex.join(command(params, seed)), "generations": len(model),
        "real_precision": real["precision"], "real_recall": real["recall"],
        "precision": [m["precision"] for m in model], "recall": [m["recall"] for m in model],
        "diversity": [m["diversity"] for m in model], "real_diversity": real["real_diversity"],
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
        "loadavg_start": round(load0, 2), "cpus": os.cpu_count(), "niceness": os.nice(0),
    }  # fmt: skip


def medians(rows: list[dict], key: str) -> list[float]:
    """The per-generation median of ``key`` over the rows (seeds), as long as the shortest run."""
    length = min(len(r[key]) for r in rows)
    return [statistics.median(r[key][g] for r in rows) for g in range(length)]


def cells() -> dict[str, list[dict]]:
    """The latest row of each configuration and seed, grouped by configuration in CONFIGS' order."""
    rows = list(h.latest(h.read_rows(RESULTS), lambda r: (r["config"], r["seed"])).values())
    grouped = h.group(rows, lambda r: r["config"])
    order = {name: i for i, name in enumerate(CONFIGS)}
    return dict(sorted(grouped.items(), key=lambda kv: order.get(str(kv[0]), len(order))))  # type: ignore[arg-type]


def table() -> h.Table:
    groups = cells()
    out = h.Table([("loop", "left"), ("seeds", "right"), ("P gen 1", "right"), ("R gen 1", "right"),
                   ("P gen 10", "right"), ("R gen 10", "right"), ("P last", "right"), ("R last", "right"),
                   ("generations", "right"), ("cpu s / run", "right")])  # fmt: skip
    everything = [r for rows in groups.values() for r in rows]
    if everything:
        out.add("real data (ceiling)", len({r["seed"] for r in everything}),
                f"{statistics.median(r['real_precision'] for r in everything):.3f}",
                f"{statistics.median(r['real_recall'] for r in everything):.3f}", "", "", "", "", "", "")  # fmt: skip
    for name, rows in groups.items():
        p, r = medians(rows, "precision"), medians(rows, "recall")
        mid = min(9, len(p) - 1)
        out.add(name, len(rows), f"{p[0]:.3f}", f"{r[0]:.3f}", f"{p[mid]:.3f}", f"{r[mid]:.3f}",
                f"{p[-1]:.3f}", f"{r[-1]:.3f}", len(p),
                f"{statistics.median(x['cpu_seconds'] for x in rows):.1f}")  # fmt: skip
    out.notes.append(
        "P, R: precision and recall (k-NN manifolds, k = 3) of the generation's 500 samples against 1000 held-out "
        "real points, medians over seeds. Defaults: 8-component Gaussian mixture, 500 points per generation; "
        "augmentation adds the same 100 original real points every generation, fresh 100 new ones; projection "
        "moves each sample a fraction s toward its nearest point of a 1000-point expert set; ideal replaces it "
        "with a true draw with probability s (both in the fully synthetic loop)."
    )
    out.notes.append(f"{PAPERS}.")
    if not everything:
        out.notes.insert(0, "(no runs recorded yet)")
    return out


def plot(path: Path) -> None:
    """Four panels of median precision (dashed) and recall (solid) per generation: the regimes, the
    sampling bias, the projection's strengths and the ideal correction's."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = cells()
    panels = {"regimes": "the three loops", "bias": "sampling bias (fully synthetic)",
              "projection": "expert projection, strength s", "ideal": "idealised correction, strength s"}  # fmt: skip
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.2), sharey=True)
    for ax, (panel, title) in zip(axes, panels.items()):
        names = [n for n, (p, _) in CONFIGS.items() if p == panel and n in groups]
        if panel in ("bias", "projection", "ideal") and "fully synthetic" in groups:
            names.insert(0, "fully synthetic")
        for i, name in enumerate(names):
            rows, colour = groups[name], plt.get_cmap("tab10")(i)
            shown = label(name, panel)
            p, r = medians(rows, "precision"), medians(rows, "recall")
            x = list(range(1, len(r) + 1))
            ax.plot(x, r, color=colour, lw=1.8, label=f"{shown}: recall")
            ax.plot(x, p, color=colour, lw=1, ls="--", label=f"{shown}: precision")
        ax.set_title(title)
        ax.set_xlabel("generation")
        ax.grid(alpha=0.3)
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("vs held-out real data (median of seeds)")
    fig.suptitle("Self-consuming Gaussian mixture on a ring of 8 Gaussians: precision (dashed) and recall (solid)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def label(name: str, panel: str) -> str:
    """A configuration's name in its panel: the fully synthetic loop is lambda 1 or s=0 beside the others."""
    if panel == "regimes":
        return name
    if name == "fully synthetic":
        return "lambda 1" if panel == "bias" else "s=0"
    return name.split(", ")[-1].split(" ")[-1] if panel != "bias" else name.split(", ")[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS), metavar="CONFIG",
                    help=f"configurations to run (default all: {', '.join(CONFIGS)})")  # fmt: skip
    ap.add_argument("--generations", type=int, default=20)
    ap.add_argument("--no-record", action="store_true", help="do not append rows to results/self_consuming.jsonl")
    ap.add_argument("--table", action="store_true", help="print the recorded rows and stop")
    ap.add_argument("--plot", type=Path, nargs="?", const=FIGURE, help=f"draw the figure and stop (default {FIGURE})")
    args = ap.parse_args()
    if args.table:
        print(table())
        return
    if args.plot:
        plot(args.plot)
        print(f"wrote {args.plot}")
        return
    with tempfile.TemporaryDirectory(prefix="evoforge-mad-") as tmp:
        for name in args.configs:
            for seed in args.seeds:
                row = run(name, CONFIGS[name][1], seed, args.generations, Path(tmp))
                if not args.no_record:
                    h.append_row(RESULTS, row)
                print(f"{name}, seed {seed}: precision {row['precision'][0]:.3f} -> {row['precision'][-1]:.3f}, "
                      f"recall {row['recall'][0]:.3f} -> {row['recall'][-1]:.3f} ({row['cpu_seconds']} cpu s)",
                      flush=True)  # fmt: skip
    print(table())
    if not args.no_record:
        plot(FIGURE)
        print(f"wrote {FIGURE}")


if __name__ == "__main__":
    main()
