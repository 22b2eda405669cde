"""The two embedded coders in one program-evolution cell: seconds per model call and the best program.

    python benchmarks/coder_sizes.py --task binpack --calls 40 --seed 1

Runs the ``evolve`` recipe on the task with ``embedded:coder`` (Qwen2.5-Coder-0.5B-Instruct), then
``embedded:coder-1.5b`` (Qwen2.5-Coder-1.5B-Instruct, the ``llm-large`` extra), same seed, same call
budget, each with a response cache of its own in a fresh directory, so no answer is replayed. Prints
one row per model: wall seconds per model call (generation plus the evaluations between calls),
the seed's score and the best score. One seed is a timing cell, not a quality claim.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

MODELS = ("embedded:coder", "embedded:coder-1.5b")


def cell(task: str, model: str, calls: int, seed: int) -> dict:
    """One run in a fresh cache directory (the model file is assembled there from its wheels)."""
    import evoforge
    from evoforge import RunStore
    from evoforge.store.facts import seed_score

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EVOFORGE_CACHE_DIR"] = tmp
        from evoforge.llm.model_files import assemble

        assemble(model.split(":", 1)[1])  # outside the timing: assembling and hashing the file
        out = Path(tmp) / "run.db"
        start = time.perf_counter()
        result = evoforge.evolve(task, "evolve", budget=None, seed=seed, out=out, model=model, max_calls=calls)
        wall = time.perf_counter() - start
        store = RunStore.open(out)
        try:
            usage = (store.last_batch() or {}).get("usage") or {}
            seed_value = (seed_score(store) or {}).get("score")
        finally:
            store.close()
    total = usage.get("total", {})
    n_calls = total.get("calls", 0)
    return {
        "model": model,
        "calls": n_calls,
        "completion_tokens": total.get("completion_tokens", 0),
        "wall_s": wall,
        "s_per_call": wall / max(n_calls, 1),
        "evaluations": result.evaluations,
        "seed": seed_value,
        "best": result.best.score if result.best else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", default="binpack")
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"python benchmarks/coder_sizes.py --task {args.task} --calls {args.calls} --seed {args.seed}")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    rows = [cell(args.task, m, args.calls, args.seed) for m in MODELS]
    print(f"{'model':<22} {'calls':>5} {'tokens':>6} {'wall s':>7} {'s/call':>7} {'evals':>5} {'seed':>9} {'best':>9}")
    for r in rows:
        print(
            f"{r['model']:<22} {r['calls']:>5} {r['completion_tokens']:>6} {r['wall_s']:>7.0f} {r['s_per_call']:>7.1f}"
            f" {r['evaluations']:>5} {r['seed'] or float('nan'):>9.4f} {r['best'] or float('nan'):>9.4f}"
        )
    print(f"1.5B / 0.5B seconds per call: {rows[1]['s_per_call'] / rows[0]['s_per_call']:.2f}x")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
