"""AgentEvol benchmark: held-out success of an agent's weights before and after each round of
exploration plus reward-weighted fine-tuning (recipe ``agent-evol`` on task ``agent-weights``). One run
per invocation; the row (held-out success of the base checkpoint, of the teacher clone after round 0,
and after every later round, per environment) is appended to benchmarks/results/agent_evol.jsonl and
the table of every recorded row is printed::

    python benchmarks/agent_evol.py --env search --rounds 3 --seed 0
    python benchmarks/agent_evol.py --table

The teacher (round 0) is ``--model`` (default ``embedded``: SmolLM2-135M through llama.cpp); the weights
are ``--base`` (default ``embedded``: the same model de-quantized for training; ``tiny`` for a smoke run).
Held-out items are the same for every round, so the differences are the rounds' doing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows

RESULTS = Path(__file__).with_name("results") / "agent_evol.jsonl"


def cell(args: argparse.Namespace) -> dict:
    from evoforge.core.budget import Budget
    from evoforge.core.task import load_task
    from evoforge.genomes.weights import models
    from evoforge.llm import get_model
    from evoforge.llm.model_files import user_cache_dir
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor
    from evoforge.store.run_file import RunStore

    options = {"env": args.env, "heldout": args.heldout}
    task = load_task("agent-weights", options)
    params = {"base": args.base, "problems": args.problems, "samples": args.samples, "warm_start": args.warm_start,
              "epochs": args.epochs, "warm_epochs": args.epochs}  # fmt: skip
    recipe = get_recipe("agent-evol").from_params(params)
    recipe.model = get_model(args.model, cache=user_cache_dir() / "bench-agent-evol.sqlite")
    started = time.time()
    base = task.evaluate(str(models.resolve(args.base)))
    out = Path(tempfile.mkdtemp(prefix="agent-evol-")) / "run.db"
    store = RunStore.create(out, {})
    Engine(task, recipe, seed=args.seed, budget=Budget(evaluations=args.rounds + 1), store=store).run(
        InProcessExecutor(task)
    )
    rounds = [{"round": r["round"], "heldout": r["score"], **{k: r.get(k) for k in ("dataset", "accepted",
              "pass1", "mean_reward", "teacher_success", "teacher_episodes") if k in r}}
              for r in recipe.history]  # fmt: skip
    return {"env": args.env, "seed": args.seed, "base": args.base, "model": args.model, "heldout_n": base["metrics"]
            ["heldout_n"], "base_heldout": base["score"], "rounds": rounds, "seconds": round(time.time() - started),
            "run": str(out)}  # fmt: skip


def table(path: Path = RESULTS) -> str:
    rows = h.read_rows(path)
    lines = ["env     base       seed  held-out: base -> round 0 (teacher clone) -> rounds ..."]
    for r in rows:
        scores = " -> ".join(f"{x['heldout']:.2f}" for x in r["rounds"])
        lines.append(f"{r['env']:<7} {r['base']:<10} {r['seed']:>4}  {r['base_heldout']:.2f} -> {scores}"
                     f"  (n={r['heldout_n']}, {r['seconds']} s)")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--env", choices=("apps", "search", "both"), default="both")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=3, help="rounds after the teacher clone")
    ap.add_argument("--heldout", type=int, default=8, help="held-out items per environment")
    ap.add_argument("--problems", type=int, default=8, help="training items per environment per round")
    ap.add_argument("--samples", type=int, default=2, help="episodes per item")
    ap.add_argument("--warm-start", type=int, default=8, help="teacher episodes per environment")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--base", default="embedded")
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the table")
    args = ap.parse_args(argv)
    if not args.table:
        h.append_row(args.out, cell(args))
    print(table(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
