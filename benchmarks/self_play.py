"""Self-play benchmark: the negotiation game's joint and individual scores before and after each round
of filtered behaviour cloning, training against the fixed opponent and in self-play. One row per
(training setting, variant, seed) is appended to benchmarks/results/self_play.jsonl, and the table
of every recorded row is printed::

    python benchmarks/self_play.py --opponent fixed --opponent self --rounds 2 --games 16 --eval-games 8
    python benchmarks/self_play.py --table

Every round's policy plays the same greedy evaluation games in both settings. The settings are against
the fixed opponent (``--model``, default the embedded SmolLM2, which is also the policy's starting
point) and against a copy of itself. The rows hold the policy's own score, the other player's score,
the joint score, the agreement rate and the invalid-move rate of every round (round 0 is before any
training).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows

RESULTS = Path(__file__).with_name("results") / "self_play.jsonl"
KEYS = ("own", "other", "joint", "agreed", "invalid")


def cell(args: argparse.Namespace, opponent: str) -> dict:
    from evoforge.core.budget import Budget
    from evoforge.core.task import load_task
    from evoforge.llm import get_model
    from evoforge.llm.model_files import user_cache_dir
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor

    opts = {"n_threads": 2} if args.model.startswith("embedded") else {}
    model = get_model(args.model, cache=user_cache_dir() / "bench-self-play.sqlite", **opts)
    params = {"opponent": opponent, "variant": args.variant, "base": args.base, "games": args.games,
              "eval_games": args.eval_games, "max_turns": args.max_turns}  # fmt: skip
    recipe = get_recipe("self-play").from_params(params)
    recipe.model = model
    task = load_task("negotiation")
    start = time.perf_counter()
    result = Engine(task, recipe, seed=args.seed, budget=Budget(evaluations=args.rounds + 1)).run(
        InProcessExecutor(task)
    )
    rounds = [
        {"round": r["round"], "kept": r.get("kept"), "rows": r.get("rows", 0),
         **{f"{s}_{k}": r.get(f"{s}_{k}") for s in ("fixed", "self") for k in KEYS}}
        for r in recipe.history
    ]  # fmt: skip
    return {
        "opponent": opponent, **params, "seed": args.seed, "model": args.model, "rounds": rounds,
        "stop_reason": result.stop_reason, "calls": model.usage.calls,
        "seconds": round(time.perf_counter() - start, 1),
    }  # fmt: skip


def table(path: Path = RESULTS) -> h.Table:
    """Per training setting and round: the evaluation games' means in both settings (policy's view)."""
    names = ["training", "variant", "games", "seed", "round", "kept", "fixed: own", "other", "joint", "deal",
             "invalid", "self: own", "other ", "joint ", "deal "]  # fmt: skip
    t = h.Table([(n, "left" if i < 2 else "right") for i, n in enumerate(names)])
    t.title = "Negotiation: policy scores before (round 0) and after each filtered-BC round"
    for r in h.read_rows(path):
        for x in r["rounds"]:
            f = lambda k, x=x: "-" if x.get(k) is None else f"{x[k]:.2f}"  # noqa: E731
            t.add(r["opponent"], r["variant"], r["games"], r["seed"], x["round"], x["kept"] or "-",
                  *(f(f"fixed_{k}") for k in KEYS), *(f(f"self_{k}") for k in KEYS[:4]))  # fmt: skip
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--opponent", action="append", choices=("fixed", "self"), help="training setting(s)")
    ap.add_argument("--variant", default="semi-competitive", choices=("cooperative", "semi-competitive"))
    ap.add_argument("--rounds", type=int, default=2, help="filtered-BC rounds after round 0")
    ap.add_argument("--games", type=int, default=16, help="training games per round")
    ap.add_argument("--eval-games", type=int, default=8, help="greedy evaluation games per setting")
    ap.add_argument("--max-turns", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="embedded", help="the fixed opponent (the run's model)")
    ap.add_argument("--base", default="embedded", help="the policy's starting checkpoint")
    ap.add_argument("--table", action="store_true", help="only print the table of recorded rows")
    args = ap.parse_args(argv)
    if not args.table:
        for opponent in args.opponent or ["fixed", "self"]:
            h.append_row(RESULTS, cell(args, opponent))
    print(table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
