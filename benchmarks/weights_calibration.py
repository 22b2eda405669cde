"""Calibration of the self-training tasks: at each difficulty level of a weights task, how often does the
round-0 model (the supervised warm start every self-training cell begins from) answer held-out items
right greedily, with any of k samples (pass@k) and by the majority of k samples (maj@k)?

Self-training can only learn where the base solves some items but not all: a level is *in the zone* when
greedy accuracy is 25-60 %; label-free recipes that vote (ScPO, TTRL) need maj@k above greedy as well.
Each (task, base model, level) row is appended to ``benchmarks/results/weights_calibration.jsonl`` with
the command, then the table of every recorded row is printed; ``benchmarks/self_training.py --level``
runs a cell at a chosen level, and the level is part of its recorded configuration.

    nice -n 10 python benchmarks/weights_calibration.py --task word-problems --levels steps=1 steps=2 steps=3
    nice -n 10 python benchmarks/weights_calibration.py --task addition --levels digits=2 digits=3
    python benchmarks/weights_calibration.py --table

Defaults are those of the self-training cells: SmolLM2-135M, the 4-epoch warm start, 200 held-out items,
k = 4 samples at temperature 0.8 (the recipes' sampling temperature).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables
from majority_vs_greedy import level_text, measure

RESULTS = Path(__file__).parent / "results" / "weights_calibration.jsonl"
ZONE = (0.25, 0.60)  # greedy accuracy where self-training has something to keep and something to learn


def parse_level(text: str) -> dict[str, int | float | str]:
    """``"steps=3,max_start=50"`` -> ``{"steps": 3, "max_start": 50}`` (numbers where they parse)."""
    level: dict[str, int | float | str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise ValueError(f"a level is KEY=VALUE[,KEY=VALUE], got {text!r}")
        level[key.strip()] = _number(value.strip())
    return level


def _number(value: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def check_level(task: str, level: dict) -> None:
    """Raise ValueError with the task's own message when ``task`` has no such options or values."""
    from evoforge.core.errors import TaskError
    from evoforge.core.task import load_task

    try:
        load_task(task, {**level, "heldout": 1})
    except TaskError as exc:
        raise ValueError(str(exc)) from None


def in_zone(greedy: float) -> bool:
    return ZONE[0] <= greedy <= ZONE[1]


def table(path: Path = RESULTS) -> h.Table:
    """The latest row per (task, level, base, k, temperature, held-out size, seed)."""
    t = h.Table(
        [
            ("task", "left"),
            ("level", "left"),
            ("base", "left"),
            ("held out", "right"),
            ("greedy", "right"),
            ("pass@k", "right"),
            ("maj@k", "right"),
            ("maj - greedy", "right"),
            ("zone", "left"),
            ("own verdicts right", "right"),
            ("own pick - pass@1", "right"),
            ("minutes", "right"),
        ]
    )
    key = lambda r: (r["task"], level_text(r), r["base"], r["samples"], r["temperature"], r["heldout"], r["seed"])  # noqa: E731
    for r in h.latest(h.read_rows(path), key).values():
        k = str(r["samples"])
        gap = r["maj"][k] - r["greedy"]
        zone = "learnable" if in_zone(r["greedy"]) else ("too hard" if r["greedy"] < ZONE[0] else "too easy")
        t.add(
            r["task"],
            level_text(r) or "(defaults)",
            r["base"],
            r["heldout"],
            f"{r['greedy']:.3f}",
            f"{r['passk'][k]:.3f}@{k}",
            f"{r['maj'][k]:.3f}@{k}",
            f"{gap:+.3f}",
            zone + (", votes pay" if round(gap, 3) >= 0.05 else ""),
            f"{own['sv_acc']:.3f}" if (own := r.get("own")) else "-",
            f"{own['sv_pick_acc'] - r['pass1']:+.3f}" if own else "-",
            f"{r['seconds'] / 60:.1f}",
        )
    t.notes.append(
        f"zone: greedy {ZONE[0]:.0%}-{ZONE[1]:.0%} on held-out items; 'votes pay': maj@k >= greedy + 5 points "
        "(where ScPO and TTRL have a signal). Round 0 = the warm start the self-training cells begin from. "
        "own-verify (--own-verify): the model judges each of its samples (yes/no logits); 'own pick - pass@1' "
        "= accuracy of the sample it scores highest of k minus a random sample's (about 0 or below: its own "
        "verification is no signal)."
    )
    return t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="word-problems", help="a weights task: addition, word-problems, program-output")
    ap.add_argument(
        "--levels", nargs="*", default=[""], help="task options per level, KEY=VALUE[,KEY=VALUE] (e.g. steps=3)"
    )
    ap.add_argument("--base", default="embedded", help="the model (embedded: SmolLM2-135M; embedded:coder)")
    ap.add_argument("--heldout", type=int, default=200)
    ap.add_argument("--samples", type=int, default=4, help="k: samples per item for pass@k and maj@k")
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--warm-epochs", type=float, default=4.0, help="the warm start's epochs (self-training cells: 4)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads")
    ap.add_argument(
        "--own-verify", action="store_true", help="the model also verifies its own samples (the own-verify gap)"
    )
    ap.add_argument("--table", action="store_true", help="print the recorded table and exit")
    ap.add_argument("--results", type=Path, default=RESULTS, help="the JSONL file rows are appended to")
    args = ap.parse_args(argv)
    if not args.table:
        if args.samples < 1 or args.heldout < 1:
            ap.error("--samples and --heldout must be >= 1")
        try:
            levels = [parse_level(text) for text in args.levels]
            for level in levels:
                check_level(args.task, level)
        except ValueError as exc:
            ap.error(f"--levels: {exc}")
        os.environ["EVOFORGE_TORCH_THREADS"] = str(args.threads)
        for level in levels:
            (row,) = measure(
                args.task,
                base=args.base,
                heldout=args.heldout,
                samples=args.samples,
                temperatures=[args.temperature],
                warm_epochs=args.warm_epochs,
                seed=args.seed,
                level=level,
                own_verify=args.own_verify,
            )
            row = h.append_row(args.results, {**row, "threads": args.threads})
            k = str(args.samples)
            print(
                f"{args.task} {level_text(row) or '(defaults)'}: greedy {row['greedy']:.3f} "
                f"pass@{k} {row['passk'][k]:.3f} maj@{k} {row['maj'][k]:.3f} ({row['seconds']:.0f}s)",
                file=sys.stderr,
            )
    print(table(args.results))


if __name__ == "__main__":
    main()
