"""The README's main job, seed by seed: the first command a new user runs, with fresh model calls.

Each seed runs exactly the README's ``evoforge run`` command (with ``--seed S``), plus ``--no-cache`` (every
answer a fresh call, so an earlier run on this machine cannot replay into it) and its own ``--out``; the
row records the excess of the seed program and of the best program found (the task's own units: percent
over the task's reference, lower is better), the gain in points and the wall time of the command.

``--check POINTS`` makes it a gate (``.ci/run`` uses it): exit 1 when any seed gains less than POINTS,
so a change of build, prompt or sampling that flattens the first thing users see cannot land quietly.

    python benchmarks/main_job.py                          # seeds 0-4, appended to results/main_job.jsonl
    python benchmarks/main_job.py --seeds 1 --check 1.0    # CI: the README's seed, gate at 1 point
"""

from __future__ import annotations

import argparse
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "main_job.jsonl"


def readme_command() -> list[str]:
    """The README's first command's ``evoforge run ...`` part (after the install), as argv."""
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("bash scripts/install.sh llm && evoforge run "):
            return shlex.split(line.split("&&", 1)[1])
    raise SystemExit("README.md has no 'bash scripts/install.sh llm && evoforge run ...' line")


def with_seed(argv: list[str], seed: int) -> list[str]:
    out = list(argv)
    if "--seed" in out:
        out[out.index("--seed") + 1] = str(seed)
    else:
        out += ["--seed", str(seed)]
    return out


def excess(run_file: Path) -> tuple[float, float, int, int]:
    """(seed excess, best excess, model calls, evaluations) from a finished run file, read-only."""
    db = sqlite3.connect(f"file:{run_file}?mode=ro", uri=True)
    try:
        seed = db.execute("SELECT score FROM candidates WHERE operator = 'seed' ORDER BY id LIMIT 1").fetchone()
        best = db.execute("SELECT MAX(score) FROM candidates WHERE status = 'ok'").fetchone()
        calls = db.execute("SELECT COUNT(*) FROM candidates WHERE operator NOT IN ('seed', 'tune')").fetchone()
        evals = db.execute("SELECT COUNT(*) FROM candidates WHERE status != 'rejected'").fetchone()
    finally:
        db.close()
    return -float(seed[0]), -float(best[0]), int(calls[0]), int(evals[0])


def run_seed(argv: list[str], seed: int, work: Path) -> dict:
    cmd = with_seed(argv, seed) + ["--no-cache", "--out", str(work / f"seed{seed}.db"), "--quiet"]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - start
    if proc.returncode != 0:
        raise SystemExit(f"seed {seed}: {shlex.join(cmd)} exited {proc.returncode}\n{proc.stderr[-2000:]}")
    before, after, model_children, evaluations = excess(work / f"seed{seed}.db")
    return {
        "job": shlex.join(with_seed(argv, seed)),
        "seed": seed,
        "excess_before": before,
        "excess_after": after,
        "gain_points": before - after,
        "model_children": model_children,
        "evaluations": evaluations,
        "wall_seconds": round(wall, 1),
    }


def table() -> h.Table:
    rows = h.read_rows(RESULTS)
    latest = h.latest(rows, lambda r: (r["job"].replace(f"--seed {r['seed']}", "--seed S"), r["seed"]))
    out = h.Table(
        [
            ("job (README)", "left"),
            ("seed", "right"),
            ("excess before", "right"),
            ("excess after", "right"),
            ("gain (points)", "right"),
            ("wall s", "right"),
            ("load", "right"),
        ]
    )
    for r in latest.values():
        out.add(
            r["job"].replace(f"--seed {r['seed']}", "--seed S"),
            r["seed"],
            f"{r['excess_before']:.2f}%",
            f"{r['excess_after']:.2f}%",
            f"{r['gain_points']:+.2f}",
            f"{r['wall_seconds']:.0f}",
            h.fmt(r.get("load"), ".1f"),
        )
    if not out.rows:
        out.notes.append("(nothing recorded yet)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--check", type=float, help="exit 1 when a seed gains fewer points than this")
    ap.add_argument("--no-record", action="store_true", help="do not append rows to results/main_job.jsonl")
    ap.add_argument("--table", action="store_true", help="print the recorded rows and stop")
    args = ap.parse_args()
    if args.table:
        print(table())
        return
    argv = readme_command()
    rows = []
    with tempfile.TemporaryDirectory(prefix="evoforge-main-job-") as tmp:
        for seed in args.seeds:
            row = run_seed(argv, seed, Path(tmp))
            rows.append(row)
            if not args.no_record:
                h.append_row(RESULTS, {**row, "load": round(os.getloadavg()[0], 2)})
            print(
                f"seed {seed}: excess {row['excess_before']:.2f}% -> {row['excess_after']:.2f}% "
                f"({row['gain_points']:+.2f} points) in {row['wall_seconds']:.0f} s",
                flush=True,
            )
    gains = [r["gain_points"] for r in rows]
    print(
        f"median gain {statistics.median(gains):+.2f} points, "
        f"median wall {statistics.median(r['wall_seconds'] for r in rows):.0f} s"
    )
    if args.check is not None and min(gains) < args.check:
        print(f"main job check failed: a seed gained {min(gains):+.2f} points (< {args.check})", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
