"""How much a label-free self-consistency signal can teach: on the problems of a ScPO round, compare
the model's greedy answer with its majority answer over k samples (the answer ScPO prefers).

ScPO trains the model toward its majority answer; that helps the greedy answer only where the majority
is right more often than greedy decoding is. Measured on the shared warm start of
``benchmarks/self_training.py`` (SmolLM2-135M after its supervised warm start), on problems drawn as a
ScPO round draws them:

    python benchmarks/self_consistency_gap.py --problems 200 --samples 4

Printed: greedy accuracy, maj@k, and on the problems that would form a ScPO pair (winner with at
least ``--min-votes`` votes and a dissenting answer) the majority's and greedy's accuracy.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", type=int, default=200)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--min-votes", type=int, default=3)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    os.environ["EVOFORGE_TORCH_THREADS"] = str(args.threads)
    import numpy as np

    from evoforge.core.task import load_task
    from evoforge.genomes.weights.generate import generate
    from evoforge.recipes.registry import get_recipe

    task = load_task("addition", {"heldout": 200})
    recipe = get_recipe("scpo").from_params({"warm_epochs": 4.0, "epochs": 1.0})  # the benchmark's warm start
    recipe.setup(task, np.random.default_rng(0))
    warm = recipe._round_zero().genome
    T = task.value
    qs = T.train_problems(args.problems, 10_000 + args.seed)
    prompts = [T.prompt(q) for q in qs]
    greedy = [o[0] for o in generate(warm, prompts, n=1, temperature=0.0, max_new_tokens=T.max_new_tokens)]
    samples = generate(
        warm, prompts, n=args.samples, temperature=args.temperature, max_new_tokens=T.max_new_tokens, seed=args.seed
    )
    g_ok = [T.correct(q, g) for q, g in zip(qs, greedy)]
    maj, pair = [], []
    for i, (q, ss) in enumerate(zip(qs, samples)):
        votes = Counter(a for a in (T.answer(s) for s in ss) if a is not None)
        top = votes.most_common(1)[0] if votes else (None, 0)
        maj.append(top[0] == T.gold(q))
        if top[1] >= args.min_votes and len(votes) > 1:
            pair.append(i)
    print(f"checkpoint: {warm}")
    print(f"{len(qs)} problems, k={args.samples}, T={args.temperature}")
    print(f"greedy accuracy {np.mean(g_ok):.3f}   maj@{args.samples} {np.mean(maj):.3f}")
    if pair:
        print(
            f"ScPO pairs (winner >= {args.min_votes} votes, a dissent): {len(pair)}; on them the majority "
            f"is right {np.mean([maj[i] for i in pair]):.3f}, greedy {np.mean([g_ok[i] for i in pair]):.3f}"
        )


if __name__ == "__main__":
    main()
