"""Is the majority of k samples righter than the greedy answer? Per task and temperature, on held-out
problems, for the supervised warm start of a model (SmolLM2-135M by default: the same round-0
checkpoint the self-training recipes start from, shared through the weights folder).

Label-free self-training that votes (ScPO, TTRL) has a signal only where maj@k beats greedy; on two-digit
sums it does not (greedy 0.502, maj@4 0.477: ``self_consistency_gap.txt``). One row per (task,
temperature) is appended to ``benchmarks/results/majority_vs_greedy.jsonl``: greedy accuracy, pass@1,
maj@k and pass@k for k = 1, 2, 4, ... up to ``--samples`` (the first k of the same samples), and the
seconds it took. Then the table of everything recorded is printed:

    nice -n 10 python benchmarks/majority_vs_greedy.py --tasks word-problems --heldout 64 --samples 8 \
        --temperatures 0.7
    python benchmarks/majority_vs_greedy.py --table
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables

RESULTS = Path(__file__).parent / "results" / "majority_vs_greedy.jsonl"


def majority_right(answers: list[str | None], gold: str) -> bool:
    """The most-voted answer (ties: the one seen first) is the gold one; no answer counts as wrong."""
    votes = Counter(a for a in answers if a is not None)
    return bool(votes) and votes.most_common(1)[0][0] == gold


def measure(
    task: str,
    *,
    base: str,
    heldout: int,
    samples: int,
    temperatures: list[float],
    warm_epochs: float,
    seed: int,
    level: dict | None = None,
    own_verify: bool = False,
) -> list[dict]:
    """Rows for one task: greedy vs maj@k at each temperature. ``level``: task options that set its
    difficulty (``{"steps": 3}``), recorded in each row; ``own_verify``: the model also verifies its own
    samples (``own``: the sv_* monitors of ``evoforge.genomes.weights.own_verification``)."""
    from evoforge.core.task import load_task
    from evoforge.genomes.weights import models
    from evoforge.genomes.weights.generate import generate
    from evoforge.genomes.weights.own_verification import own_verification
    from evoforge.recipes.self_training._base import seed_rows, warm_checkpoint, warm_config

    start = time.time()
    T = load_task(task, {**(level or {}), "heldout": heldout}).value
    ckpt = warm_checkpoint(models.resolve(base), seed_rows(T, 48, 16), warm_config(epochs=warm_epochs))
    qs = T.heldout_problems()
    golds = [T.gold(q) for q in qs]
    greedy_acc, _ = T.accuracy(str(ckpt), qs)
    warm_seconds = time.time() - start
    ks = [k for k in (1, 2, 4, 8, 16, 32, 64) if k <= samples]
    rows = []
    for temp in temperatures:
        t0 = time.time()
        outs = generate(
            ckpt,
            [T.prompt(q) for q in qs],
            n=samples,
            temperature=temp,
            max_new_tokens=T.max_new_tokens,
            seed=seed,
            batch_size=T.batch_size,
            cache=models.weights_root() / "gen-cache",
        )
        answers = [[T.answer(s) for s in ss] for ss in outs]
        own = own_verification(ckpt, T, qs, outs) if own_verify else None
        n = max(1, len(qs))
        rows.append(
            {
                "task": task,
                "level": level or {},
                "base": base,
                "temperature": temp,
                "samples": samples,
                "heldout": len(qs),
                "seed": seed,
                "warm_epochs": warm_epochs,
                "greedy": greedy_acc,
                "pass1": sum(a == g for ans, g in zip(answers, golds) for a in ans) / (n * samples),
                "maj": {str(k): sum(majority_right(ans[:k], g) for ans, g in zip(answers, golds)) / n for k in ks},
                "passk": {str(k): sum(g in ans[:k] for ans, g in zip(answers, golds)) / n for k in ks},
                "formatted": sum(a is not None for ans in answers for a in ans) / (n * samples),
                "seconds": round(time.time() - t0 + (warm_seconds if not rows else 0), 1),
                **({"own": own} if own is not None else {}),
                "checkpoint": str(ckpt),
                "cpus": os.cpu_count(),
                "loadavg": round(os.getloadavg()[0], 2),
            }
        )
    return rows


def level_text(row: dict) -> str:
    """A row's task level as ``key=value`` pairs (empty: the task's defaults)."""
    return ",".join(f"{k}={v}" for k, v in sorted((row.get("level") or {}).items()))


def table(path: Path = RESULTS) -> h.Table:
    """The latest row per (task, base, temperature, samples, held-out size, seed)."""
    t = h.Table(
        [
            ("task", "left"),
            ("T", "right"),
            ("held out", "right"),
            ("greedy", "right"),
            ("pass@1", "right"),
            ("maj@k by k", "left"),
            ("best maj - greedy", "right"),
            ("pass@k", "right"),
            ("seconds", "right"),
        ]
    )
    rows = h.latest(
        h.read_rows(path),
        lambda r: (r["task"], level_text(r), r["base"], r["temperature"], r["samples"], r["heldout"], r["seed"]),
    )
    for r in rows.values():
        best = max(r["maj"].values())
        kmax = max(r["passk"], key=int)
        t.add(
            r["task"]
            + (f" {level_text(r)}" if r.get("level") else "")
            + ("" if r["base"] == "embedded" else f" ({r['base']})"),
            f"{r['temperature']:g}",
            r["heldout"],
            f"{r['greedy']:.3f}",
            f"{r['pass1']:.3f}",
            " ".join(f"{k}:{v:.3f}" for k, v in r["maj"].items()),
            f"{best - r['greedy']:+.3f}",
            f"{r['passk'][kmax]:.3f}@{kmax}",
            f"{r['seconds']:.0f}",
        )
    return t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="word-problems,program-output", help="comma-separated weights tasks")
    ap.add_argument("--base", default="embedded", help="the model (embedded: SmolLM2-135M; tiny for a smoke test)")
    ap.add_argument("--heldout", type=int, default=100)
    ap.add_argument("--samples", type=int, default=8, help="k: samples per problem (maj@k for k = 1, 2, 4, ...)")
    ap.add_argument("--temperatures", default="0.5,1.0")
    ap.add_argument("--warm-epochs", type=float, default=2.0, help="the warm start's epochs (the recipes' default: 2)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--table", action="store_true", help="print the recorded table and exit")
    ap.add_argument("--results", type=Path, default=RESULTS, help="the JSONL file rows are appended to")
    args = ap.parse_args(argv)
    if not args.table:
        try:
            temps = [float(t) for t in args.temperatures.split(",") if t.strip()]
        except ValueError:
            ap.error(f"--temperatures: comma-separated numbers, got {args.temperatures!r}")
        if args.samples < 1 or args.heldout < 1 or not temps:
            ap.error("--samples and --heldout must be >= 1, with at least one temperature")
        for task in [t.strip() for t in args.tasks.split(",") if t.strip()]:
            for row in measure(
                task,
                base=args.base,
                heldout=args.heldout,
                samples=args.samples,
                temperatures=temps,
                warm_epochs=args.warm_epochs,
                seed=args.seed,
            ):
                row = h.append_row(args.results, row)
                print(f"{task} T={row['temperature']:g}: greedy {row['greedy']:.3f} maj {row['maj']}", file=sys.stderr)
    print(table(args.results))


if __name__ == "__main__":
    main()
