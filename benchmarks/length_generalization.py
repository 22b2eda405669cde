"""From-scratch length generalisation by self-improvement (Lee et al., 2025): a 3-layer,
128-wide character-level Llama is trained from scratch on reversed-answer sums of 1..3 digits, then each
round labels problems one digit longer itself (no gold answers; a length filter, optionally a+b = b+a)
and trains on them. Printed: held-out accuracy at every length before and after each round, the labels
kept and their true precision (measured, never used).

    python benchmarks/length_generalization.py --rounds 4 --seed 0
    python benchmarks/length_generalization.py --table

Each run appends one row to ``benchmarks/results/length_generalization.jsonl``. The warm start (the
from-scratch training) is cached and shared by every seed of the same settings. With a GPU visible the
model trains and decodes there (recorded as ``device``); the larger settings need one. The recorded
GPU rows (an H200; a 4-layer, 256-wide Llama, 600,000 labelled sums of 1..10 digits) ran

    python benchmarks/length_generalization.py --digits 10 --max-digits 16 --rounds 6 \\
        --set base=tiny:0:4x256 --set warm_start=50000 --set warm_epochs=12 --set warm_batch=256 \\
        --set train_batch=256 --set problems=5000 --set replay=20000 --set gen_batch=2000

once with ``--set swap_vote=true`` and once with the default (the length filter alone).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables

RESULTS = Path(__file__).parent / "results" / "length_generalization.jsonl"


def run(
    rounds: int, seed: int, digits: int, max_digits: int, params: dict, heldout: int = 100, run_dir: Path | None = None
) -> dict:
    from evoforge.genomes.weights import models
    from evoforge.genomes.weights import rounds as read_rounds
    from evoforge.run import api

    folder = Path(run_dir or tempfile.mkdtemp(prefix="evoforge-lengen-"))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"easy-to-hard-{seed}.db"
    start, load0 = time.time(), os.getloadavg()[0]
    res = api.evolve(
        "reversed-addition",
        "easy-to-hard",
        budget=rounds + 1,
        seed=seed,
        out=out,
        executor="inprocess",
        recipe_params=params,
        task_options={"digits": digits, "max_digits": max_digits, "heldout": heldout},
    )
    table = read_rounds(res.path)
    per_round = [
        {
            "round": r["round"],
            "frontier": r.get("frontier"),
            "accepted": r.get("accepted"),
            "label_precision": r.get("label_precision"),
            "reach": r["score"],
            "acc": {str(d): r.get(f"acc_{d}") for d in range(1, max_digits + 1)},
        }
        for r in table
    ]
    return {
        "seed": seed,
        "digits": digits,
        "rounds": rounds,
        "params": params,
        "heldout": heldout,
        "device": _device_name(models.device()),
        "per_round": per_round,
        "seconds": round(time.time() - start, 1),
        "loadavg_start": round(load0, 2),
        "loadavg_end": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "run_file": str(res.path),
    }


def _device_name(dev: str) -> str:
    if dev != "cuda":
        return dev
    import torch

    return f"cuda: {torch.cuda.get_device_name(0)}"


def table(path: Path = RESULTS) -> str:
    """One table per recorded run: per round, the labels' source, how many were kept, their precision,
    the frontier reached and the held-out accuracy per length."""
    parts = []
    for row in h.read_rows(path):
        n = max(int(d) for d in row["per_round"][0]["acc"])
        params = row.get("params") or {}
        vote = "length + a+b=b+a" if params.get("swap_vote", True) else "length only"  # early rows: vote on
        t = h.Table(
            [("round", "right"), ("labels", "right"), ("kept", "right"), ("precision", "right"), ("reach", "right")]
            + [(f"{d}d", "right") for d in range(1, n + 1)],
            title=f"seed {row['seed']}, {params.get('base', 'tiny:0:3x128')}, labelled 1..{row['digits']} "
            f"digits, filter {vote}, {row['seconds'] / 60:.1f} min on {row.get('device', 'cpu')}"
            + (f"\n({row['note']})" if row.get("note") else ""),
        )
        for r in row["per_round"]:
            t.add(
                r["round"],
                "gold" if r["round"] == 0 else f"{r['frontier']}-digit self",
                "-" if r["accepted"] is None else r["accepted"],
                h.fmt(r["label_precision"], ".3f"),
                f"{r['reach']:.2f}",
                *(f"{r['acc'][str(d)]:.2f}" for d in range(1, n + 1)),
            )
        parts.append(t)
    return h.tables(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--digits", type=int, default=3, help="labelled lengths 1..digits")
    ap.add_argument("--max-digits", type=int, default=8, help="longest length evaluated")
    ap.add_argument("--heldout", type=int, default=100, help="held-out problems per length")
    ap.add_argument("--run-dir", type=Path, help="where the run file goes (default: a new temporary folder)")
    ap.add_argument("--set", action="append", default=[], help="easy-to-hard parameter KEY=VALUE")
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="print the recorded rows and exit")
    args = ap.parse_args(argv)
    if not args.table:
        params = {
            k: json.loads(v) if v[:1].isdigit() or v in ("true", "false") else v
            for k, v in (kv.split("=", 1) for kv in args.set)
        }
        row = run(args.rounds, args.seed, args.digits, args.max_digits, params, args.heldout, args.run_dir)
        row = h.append_row(args.results, row)
        print(f"seed {args.seed}: {row['seconds']:.0f}s", file=sys.stderr)
    print(table(args.results))


if __name__ == "__main__":
    main()
