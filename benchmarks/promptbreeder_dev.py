"""Promptbreeder settings compared on a development split: items drawn from the task's own generator
with another data seed, so neither the train items the run sees nor the held-out test items that
``prompt_evolution.py`` reports are used to choose settings.

One (task, seed, settings) cell per invocation, 300 metric calls like the benchmark; the prompt the run
returns is scored on 200 dev items (``--contenders``: every prompt of the final validation race, to see
whether the race picks the best of them). Rows go to ``benchmarks/results/promptbreeder_dev.jsonl``::

    python benchmarks/promptbreeder_dev.py --task sentiment --seed 3 --set population=8 --set minibatch=8
    python benchmarks/promptbreeder_dev.py --table
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables
import prompt_evolution as pe  # the same task model, task modules and promptbreeder run

RESULTS = Path(__file__).with_name("results") / "promptbreeder_dev.jsonl"


def run(task_name: str, seed: int, params: dict, dev_items: int, contenders: bool) -> dict:
    spec = pe.task_module(task_name).TASK
    dev = dataclasses.replace(spec, name=f"{task_name}-dev", _data={})  # another data seed: fresh items
    recipe, _ = pe.evolve_prompt(task_name, seed, 300, params)
    best = recipe.best_prompt()

    def dev_score(unit: dict) -> float:
        return dev.evaluate({**unit, "split": "test", "items": list(range(dev_items))}, model=pe.shared_model())[
            "score"
        ]

    race = []
    if contenders:
        for key in recipe.val_half or recipe.val_scores:
            race.append(
                {
                    "race_first": recipe.val_half.get(key),
                    "race_all": recipe.val_scores.get(key),
                    "dev": dev_score(recipe.units[key]),
                    "chosen": recipe.units[key] == best,
                }
            )
    chosen = next((r["dev"] for r in race if r["chosen"]), None)
    return {
        "dev_accuracy": chosen if chosen is not None else dev_score(best),
        "dev_items": dev_items,
        "settings": pe.settings_of(recipe),
        "race": race,
        "prompt": best,
    }


def table(path: Path = RESULTS) -> h.Table:
    """Dev accuracy per (task, settings): mean and median over the seeds (a re-run of a seed replaces it)."""

    def settings(r: dict) -> str:
        recorded = {"operators": "all", "selection": "tournament", **r["settings"]}  # older rows lack these two
        return ", ".join(f"{k}={v}" for k, v in sorted(recorded.items()))

    t = h.Table([("task", "left"), ("seeds", "left"), ("mean", "right"), ("median", "right"), ("settings", "left")])
    for (task, setting), rs in sorted(h.group(h.read_rows(path), lambda r: (r["task"], settings(r))).items()):
        by_seed = {int(r["seed"]): r["dev_accuracy"] for r in rs}
        acc = h.summarise(by_seed.values())
        t.add(task, ",".join(str(s) for s in sorted(by_seed)), f"{acc.mean:.3f}", f"{acc.median:.3f}", setting)
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", choices=pe.TASKS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="promptbreeder parameter KEY=VALUE")
    ap.add_argument("--dev-items", type=int, default=200)
    ap.add_argument("--contenders", action="store_true", help="also score every prompt of the final race")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the table")
    args = ap.parse_args(argv)
    if args.table or not args.task:
        print(table(args.out))
        return 0
    params = pe.parse_sets(ap, args.set)
    t0 = time.time()
    row = {
        "task": args.task,
        "seed": args.seed,
        **run(args.task, args.seed, params, args.dev_items, args.contenders),
        "seconds": round(time.time() - t0, 1),
    }
    row = h.append_row(args.out, row)
    print(json.dumps({k: v for k, v in row.items() if k != "prompt"}))
    print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
