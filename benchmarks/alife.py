"""BFF primordial soups (recipe ``bff`` on task ``bff``): in how many runs do self-replicators take
over, and at which epoch does the high-order entropy jump? Beside the paper's figures, at the paper's
much larger setting. One seed per run, each exactly the ``evoforge run`` command a user types (printed
in the row); one row per seed is appended to benchmarks/results/alife.jsonl::

    python benchmarks/alife.py --seeds 0 1 2 3 4 --tapes 16384 --epochs 10000 --seconds 170
    python benchmarks/alife.py --speed --tapes 131072      # the interpreter's pair interactions per second
    python benchmarks/alife.py --table

A takeover is a record whose high-order entropy reached ``--jump`` bits per byte (the recipe's ``jump``);
the run then goes on ``--after-jump`` epochs and stops. ``--seconds`` caps a seed's wall time (the row
says how many epochs it reached). ``--speed`` times the compiled interpreter alone, one epoch call after
another on a random soup, and records pair interactions per second and operations per pair.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "alife.jsonl"
PAPER = (
    "Paper (Agüera y Arcas et al., 2024), at 2^17 tapes of 64 bytes, 2^13 steps, mutation 0.024 %: "
    "self-replicators take over after a few thousand epochs in about 40 % of runs (more with mutation)"
)


def command(args: argparse.Namespace, seed: int) -> list[str]:
    """The ``evoforge run`` command of one seed (without ``--out``)."""
    sets = {"tapes": args.tapes, "epochs": args.epochs, "every": args.every, "mutation": args.mutation,
            "jump": args.jump, "after_jump": args.after_jump}  # fmt: skip
    cmd = ["evoforge", "run", "bff", "--task", "bff", "--seed", str(seed), "--executor", "inprocess"]
    cmd += [x for k, v in sets.items() for x in ("--set", f"{k}={v}")]
    return cmd + (["--seconds", str(args.seconds)] if args.seconds else [])


def records(run_file: Path) -> tuple[list[dict], list[dict], str]:
    """The run's records (genomes), their scores' metrics, and its stop reason, read-only."""
    from evoforge import RunStore

    store = RunStore.open(run_file)
    try:
        cands = [c for c in store.candidates("ok")]
        return [c.genome for c in cands], [c.metrics for c in cands], str(store.meta("stop_reason"))
    finally:
        store.close()


def run_seed(args: argparse.Namespace, seed: int, work: Path) -> dict:
    from evoforge.genomes.soups.measure import jump_epoch
    from evoforge.genomes.soups.report import render

    cmd = command(args, seed)
    run_file = work / f"seed{seed}.db"
    load0, cpu0, start = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    proc = subprocess.run([sys.executable, "-m", "evoforge", *cmd[1:], "--out", str(run_file), "-q"],
                          capture_output=True, text=True)  # fmt: skip
    wall, cpu1 = time.time() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"seed {seed}: {shlex.join(cmd)} exited {proc.returncode}\n{proc.stderr[-2000:]}")
    recs, metrics, stop = records(run_file)
    last = recs[-1]
    interactions = sum(r["epochs"] * (r["tapes"] // 2) for r in recs)
    return {
        "system": "evoforge bff", "seed": seed, "job": shlex.join(cmd), "tapes": args.tapes, "length": last["length"],
        "steps": last["steps"], "mutation": args.mutation, "epochs": args.epochs, "epochs_run": last["epoch"],
        "jump_at": args.jump, "jump_epoch": jump_epoch(recs, args.jump), "stop_reason": stop,
        "peak_high_order": max(r["high_order"] for r in recs), "final_high_order": last["high_order"],
        "final_unique_tapes": last["unique_tapes"], "final_top_share": round(last["top_count"] / last["tapes"], 4),
        "final_top_copies": metrics[-1].get("top_copies"), "final_top": render(bytes.fromhex(last["top"])),
        "final_ops": last["ops"], "interactions": interactions, "pairs_per_s": round(interactions / wall),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
        "loadavg_start": round(load0, 2), "cpus": os.cpu_count(),
    }  # fmt: skip


def speed(args: argparse.Namespace) -> dict:
    """Pair interactions per second of the compiled interpreter on a random soup of ``--tapes`` tapes."""
    import numpy as np

    from evoforge.genomes.soups import bff
    from evoforge.genomes.soups.soup import random_soup

    rng = np.random.default_rng(0)
    soup = random_soup(args.tapes, 64, rng)
    bff.run_epoch(soup[:2].copy(), np.arange(2))  # compile (or load the cache) outside the timing
    load0, start, pairs, ops, epochs = os.getloadavg()[0], time.perf_counter(), 0, 0, 0
    while time.perf_counter() - start < args.speed_seconds:
        done = bff.run_epoch(soup, rng.permutation(len(soup)), 2**13)
        pairs, ops, epochs = pairs + len(done), ops + int(done.sum()), epochs + 1
    wall = time.perf_counter() - start
    return {
        "system": "bff interpreter", "tapes": args.tapes, "epochs_run": epochs, "interactions": pairs,
        "pairs_per_s": round(pairs / wall), "ops_per_pair": round(ops / pairs, 1), "wall_seconds": round(wall, 1),
        "loadavg_start": round(load0, 2), "cpus": os.cpu_count(), "niceness": os.nice(0),
    }  # fmt: skip


def table() -> h.Table:
    rows = h.read_rows(RESULTS)
    runs = list(h.latest([r for r in rows if r["system"] == "evoforge bff"], lambda r: r["job"]).values())
    out = h.Table([("tapes", "right"), ("seed", "right"), ("epochs run", "right"), ("jump epoch", "right"),
                   ("peak high-order", "right"), ("distinct tapes at end", "right"), ("top tape share", "right"),
                   ("ops/pair at end", "right"), ("pairs/s", "right"), ("wall s", "right"), ("cpu s", "right"),
                   ("load", "right")])  # fmt: skip
    for r in runs:
        out.add(r["tapes"], r["seed"], f"{r['epochs_run']}/{r['epochs']}", h.fmt(r["jump_epoch"], "d", "none"),
                f"{r['peak_high_order']:.3f}", f"{r['final_unique_tapes']}/{r['tapes']}",
                f"{r['final_top_share']:.4f}", f"{r['final_ops']:.0f}", f"{r['pairs_per_s']:,}",
                f"{r['wall_seconds']:.0f}", f"{r['cpu_seconds']:.0f}", f"{r['loadavg_start']:.1f}")  # fmt: skip
    for tapes, group in h.group(runs, lambda r: r["tapes"]).items():
        jumps = [r["jump_epoch"] for r in group if r["jump_epoch"] is not None]
        epochs = sorted({r["epochs_run"] for r in group})
        out.notes.append(
            f"{tapes} tapes: replicators took over in {len(jumps)} of {len(group)} runs"
            + (f", at epochs {', '.join(map(str, sorted(jumps)))}" if jumps else "")
            + f" (runs of {epochs[0]}-{epochs[-1]} epochs, jump = high-order entropy >= {group[0]['jump_at']:g})."
        )
    for r in h.latest([r for r in rows if r["system"] == "bff interpreter"], lambda r: r["tapes"]).values():
        out.notes.append(
            f"Interpreter alone, random soup of {r['tapes']} tapes: {r['pairs_per_s']:,} pair interactions/s "
            f"({r['ops_per_pair']} operations per pair, {r['epochs_run']} epochs in {r['wall_seconds']} s, "
            f"one thread at niceness {r['niceness']}, load {r['loadavg_start']:.1f} on {r['cpus']} CPUs)."
        )
    out.notes.append(f"{PAPER}.")
    if not runs:
        out.notes.insert(0, "(no runs recorded yet)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--tapes", type=int, default=2**14, help="tapes in the soup (the paper: 2^17)")
    ap.add_argument("--epochs", type=int, default=10000)
    ap.add_argument("--every", type=int, default=64, help="epochs per record")
    ap.add_argument("--mutation", type=float, default=0.00024)
    ap.add_argument("--jump", type=float, default=1.0, help="high-order entropy that counts as a takeover")
    ap.add_argument("--after-jump", type=int, default=512, help="epochs to run on after a takeover")
    ap.add_argument("--seconds", type=float, help="wall-time cap per seed")
    ap.add_argument("--speed", action="store_true", help="time the interpreter alone and stop")
    ap.add_argument("--speed-seconds", type=float, default=20.0)
    ap.add_argument("--no-record", action="store_true", help="do not append rows to results/alife.jsonl")
    ap.add_argument("--table", action="store_true", help="print the recorded rows and stop")
    args = ap.parse_args()
    if args.table:
        print(table())
        return
    if args.speed:
        row = speed(args)
        print(f"{row['pairs_per_s']:,} pair interactions/s ({row['ops_per_pair']} ops per pair, {row['tapes']} tapes)")
        if not args.no_record:
            h.append_row(RESULTS, row)
        return
    with tempfile.TemporaryDirectory(prefix="evoforge-alife-") as tmp:
        for seed in args.seeds:
            row = run_seed(args, seed, Path(tmp))
            if not args.no_record:
                h.append_row(RESULTS, row)
            print(
                f"seed {seed}: jump at epoch {row['jump_epoch']}, peak high-order {row['peak_high_order']:.3f}, "
                f"{row['epochs_run']} epochs in {row['wall_seconds']:.0f} s ({row['stop_reason']})",
                flush=True,
            )
    print(table())


if __name__ == "__main__":
    main()
