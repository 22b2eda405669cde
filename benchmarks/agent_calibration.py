"""Calibrate an agent task's difficulty: each hand-designed agent's solve rate per level, on held-out
items, with the agents' model, so a benchmark can be put where designs can matter (the best
hand-designed agent solving 20-60 %).

    python benchmarks/agent_calibration.py --task agent-arith --model embedded:coder \\
        --levels "min_steps=1,max_steps=1;min_steps=2,max_steps=2;min_steps=3,max_steps=4" \\
        --agents cot,step-back --items 30

A level is a set of task options (``;`` between levels, ``,`` between options). Each agent is scored as
designed (``tools.llm`` is greedy unless the design samples, as self-consistency and debate do) on the first ``--items``
held-out items of the task at that level, one row per (level, agent), appended to
benchmarks/results/agent_calibration.jsonl with the command; the table of every recorded row is
printed. The response cache is off (a calibration reflects the model, not an earlier answer).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

import _harness as h

RESULTS = Path(__file__).with_name("results") / "agent_calibration.jsonl"


def level_options(text: str) -> dict[str, str]:
    return dict(kv.strip().split("=", 1) for kv in text.split(",") if kv.strip())


def score(task_name: str, level: str, agent: str, items: int, model) -> dict:
    from evoforge.core.task import load_task
    from evoforge.genomes.agents import AgentFailure, baseline

    task = load_task(task_name, {**level_options(level), "heldout": items})
    genome = baseline(agent)
    start, before = time.perf_counter(), model.usage.total.answers
    try:
        result = task.evaluate({**genome, "split": "heldout", "items": list(range(items))})
        correct, note = result["metrics"]["correct"], None
    except AgentFailure as err:
        correct, note = [0.0] * items, str(err)[:120]
    return {
        "task": task_name, "level": level, "agent": agent, "model": model.spec, "items": len(correct),
        "solved": sum(1 for c in correct if c >= 1.0), "calls": model.usage.total.answers - before,
        "seconds": round(time.perf_counter() - start, 1), "note": note,
    }  # fmt: skip


def table(path: Path = RESULTS) -> h.Table:
    t = h.Table(
        [
            ("task", "left"),
            ("model", "left"),
            ("level", "left"),
            ("agent", "left"),
            ("solved", "right"),
            ("rate", "right"),
            ("calls/item", "right"),
            ("s/item", "right"),
        ],
        title="Hand-designed agents per difficulty level (held-out items, greedy)",
    )
    latest = h.latest(h.read_rows(path), key=lambda r: (r["task"], r["model"], r["level"], r["agent"]))
    for r in sorted(latest.values(), key=lambda r: (r["task"], r["model"], r["level"], r["agent"])):
        n = max(1, r["items"])
        t.add(r["task"], r["model"], r["level"], r["agent"], f"{r['solved']}/{r['items']}",
              f"{r['solved'] / n:.0%}", f"{r['calls'] / n:.1f}", f"{r['seconds'] / n:.1f}")  # fmt: skip
    rates = [r["solved"] / max(1, r["items"]) for r in latest.values()]
    if rates:
        t.notes.append(f"{len(rates)} cells; median rate {statistics.median(rates):.0%}")
    return t


def main(argv: list[str] | None = None) -> int:
    from evoforge.genomes.agents import set_agent_model
    from evoforge.llm import get_model

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", default="agent-arith")
    ap.add_argument("--levels", default="", help="';'-separated levels, each ','-separated task options")
    ap.add_argument("--agents", default="cot", help="comma-separated hand-designed agents (see agents.baseline)")
    ap.add_argument("--items", type=int, default=30, help="held-out items per level")
    ap.add_argument("--model", default="embedded:coder", help="the agents' model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the table")
    args = ap.parse_args(argv)
    if not args.table:
        model = (
            get_model(args.model, n_threads=args.threads)
            if args.model.startswith("embedded")
            else get_model(args.model)
        )
        set_agent_model(model)
        for level in args.levels.split(";"):
            for agent in (a.strip() for a in args.agents.split(",") if a.strip()):
                row = h.append_row(args.out, score(args.task, level.strip(), agent, args.items, model))
                print(f"  {level or 'default'} {agent}: {row['solved']}/{row['items']}", file=sys.stderr, flush=True)
    print(table(args.out).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
