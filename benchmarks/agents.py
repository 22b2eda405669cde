"""Agent design benchmark: the best agent found by a design search (``adas``, ``dgm``, ``evoagent``,
``godel-agent``, ``refine-loop``, ``alama``; ``swe-search`` searches per item, not for a design) against the best
hand-designed agent (ADAS's archive, chosen on the search items), at the same number of model calls, scored on
held-out items the search never saw. One (system, task, seed) cell per invocation; the row is appended
to benchmarks/results/agents.jsonl and the table of every recorded row is printed::

    python benchmarks/agents.py --system adas --task agent-arith --seed 0 --calls 300
    python benchmarks/agents.py --system baselines --task agent-logic --seed 1 --calls 300
    python benchmarks/agents.py --table

The meta agent and the agents call the same model (``--model``, default ``embedded``), and the
budget covers both: every call made during the search counts, cached or not. The held-out scoring of
the chosen agent is outside the budget and the same for every system. Rows say how many of the
generated agents ran, and the most common reasons the others failed.
"""

# ruff: noqa: E501  (tables of templates and test data read better on one line)

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows

RESULTS = Path(__file__).with_name("results") / "agents.jsonl"
ARCHIVES = Path(__file__).with_name("results") / "agent_archives"  # scored seed archives, one per baselines cell
SYSTEMS = ("adas", "dgm", "evoagent", "godel-agent", "refine-loop", "alama", "baselines")
TASKS = ("agent-arith", "agent-logic", "agent-code", "agent-humaneval")


def make_models(spec: str, calls: int, threads: int = 2, meta_spec: str | None = None, cache: bool = True):
    """(the agents' model, the meta agent's model): the same one, or with ``meta_spec`` a second model
    that shares the first one's usage meter and budget (ADAS's setup: a stronger meta agent). Without
    ``cache`` every answer is a fresh call (no replay of an earlier cell's answers)."""
    from evoforge.core.budget import Budget
    from evoforge.genomes.agents import set_agent_model
    from evoforge.llm import get_model
    from evoforge.llm.model_files import user_cache_dir

    def load(name: str):
        opts = {"n_threads": threads} if name.startswith("embedded") else {}
        return get_model(name, cache=user_cache_dir() / "bench-agents.sqlite" if cache else None, **opts)

    model = load(spec)
    model.budget = Budget(max_calls=calls)
    set_agent_model(model)
    if not meta_spec or meta_spec == spec:
        return model, model
    meta = load(meta_spec)
    meta.usage, meta.budget = model.usage, model.budget  # one count of calls for the whole search
    return model, meta


def run_search(system: str, task, model, meta, seed: int, calls: int, params: dict) -> tuple[dict | None, dict]:
    """(best agent entry, facts about the search) for a design-search recipe."""
    from evoforge.core.budget import Budget
    from evoforge.llm.account import ModelAccount
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor

    recipe = get_recipe(system).from_params(params)
    budget = Budget(evaluations=10_000, max_calls=calls)
    spend = ModelAccount(model, budget, across_processes=False)  # the agents' meter, shared with the meta agent
    seen: list = []

    def on_batch(engine, batch) -> None:
        seen.extend(batch)
        for c in batch:  # progress on stderr: long cells can be followed
            name = (c.genome or {}).get("name") if isinstance(c.genome, dict) else ""
            result = f"{c.score:.2f}" if c.ok and c.score is not None else (c.reason or "")[:60]
            print(f"  [{model.usage.total.answers} calls] {c.operator} {name!r}: {result}", file=sys.stderr, flush=True)

    engine = Engine(task, recipe, seed=seed, budget=budget, model=meta, spend=spend, on_batch=on_batch)
    result = engine.run(InProcessExecutor(task))
    generated = [
        c for c in seen if c.operator not in ("baseline", "seed", "full-eval", "promote") and c.status != "rejected"
    ]
    failed = Counter((c.reason or "")[:90] for c in generated if not c.ok)
    seeds = [c for c in seen if c.operator in ("baseline", "seed")]
    seed_calls = sum(int(c.metrics.get("calls") or 0) for c in seeds)
    total_calls = max(1, model.usage.total.answers)
    ops = getattr(recipe, "ops", None) or getattr(recipe, "calls", None)  # evoagent's model calls are `calls`
    facts = {
        "stop_reason": result.stop_reason,
        "generated": len(generated),
        "generated_ran": sum(1 for c in generated if c.ok),
        "seed_archive_calls": seed_calls,
        "seed_archive_share": round(seed_calls / total_calls, 3),
        "raced_out": sum(1 for c in seen if c.metrics.get("raced_out")),
        "promotions": sum(1 for c in seen if c.operator == "promote"),
        "promotion_calls": sum(int(c.metrics.get("calls") or 0) for c in seen if c.operator == "promote"),
        "failure_reasons": dict(failed.most_common(4)),
        "unusable_answers": dict(ops.unusable.most_common(4)) if ops else {},
    }
    return recipe.best_agent(), facts


def run_baselines(task, calls: int, model, archive_path: Path | None = None) -> tuple[dict | None, dict]:
    """Score every hand-designed agent on the search items, within the call budget; keep the best. With
    ``archive_path``, the per-item results are saved there for the searches on the same items."""
    from evoforge.core.errors import BudgetExhausted
    from evoforge.genomes.agents import AgentFailure, baselines
    from evoforge.genomes.agents.fitness import fitness
    from evoforge.genomes.agents.scored import save_scores
    from evoforge.genomes.agents.task import evaluation_items

    best, scored, results = None, {}, {}
    for genome in baselines():
        try:
            result = task.evaluate(genome)
        except BudgetExhausted:
            break
        except AgentFailure as err:
            scored[genome["name"]] = str(err)[:90]
            continue
        correct = result["metrics"]["correct"]
        results[genome["name"]] = {"correct": correct, "calls": result["metrics"]["calls"]}
        f = fitness(correct)
        scored[genome["name"]] = f
        if best is None or f > best["fitness"]:
            best = {"genome": genome, "fitness": f}
        if model.usage.total.answers >= calls:
            break
    if archive_path is not None and len(results) == len(baselines()):
        save_scores(archive_path, evaluation_items(task), model.spec, results)
    return best, {"baselines": scored}


def archive_file(args: argparse.Namespace) -> Path:
    """Where the baselines cell of this (task, level, seed, per_eval, model) saves its scored archive."""
    level = args.level.replace(",", "_").replace("=", "") or "default"
    name = f"{args.task}-{level}-seed{args.seed}-per{args.per_eval or 'task'}-{args.model.replace(':', '_')}.json"
    return ARCHIVES / name


def heldout_score(task, genome: dict, n: int, model) -> tuple[float | None, str | None]:
    from evoforge.genomes.agents import AgentFailure

    model.budget = None  # held-out scoring is outside the search budget, the same for every system
    try:
        result = task.evaluate({**genome, "split": "heldout", "items": list(range(n))})
    except AgentFailure as err:
        return 0.0, str(err)[:120]
    return result["score"], None


def cell(args: argparse.Namespace) -> dict:
    from evoforge.core.task import load_task

    model, meta = make_models(args.model, args.calls, args.threads, args.meta_model, cache=not args.no_cache)
    level = dict(kv.split("=", 1) for kv in args.level.split(",") if kv.strip())
    options = {"seed": args.seed, "search": args.search, "heldout": args.heldout, **level}
    task = load_task(args.task, {**options, **({"per_eval": args.per_eval} if args.per_eval else {})})
    params = dict(kv.split("=", 1) for kv in args.set)
    shared = {}
    if args.seed_scores:
        path = archive_file(args)
        if not path.exists():
            raise SystemExit(f"--seed-scores: no scored archive {path}; run the baselines cell of this seed first")
        params["seed_scores"] = str(path)
        shared = {"seed_archive_shared_calls": json.loads(path.read_text())["calls"]}
    start = time.perf_counter()
    if args.system == "baselines":
        best, facts = run_baselines(task, args.calls, model, archive_file(args))
    else:
        best, facts = run_search(args.system, task, model, meta, args.seed, args.calls, params)
    search_calls = model.usage.total.answers
    search_seconds = time.perf_counter() - start
    held, why = (None, "no agent ran") if best is None else heldout_score(task, best["genome"], args.heldout, model)
    return {
        "system": args.system, "task": args.task, "seed": args.seed, "model": args.model, "meta_model": args.meta_model or args.model, "calls": args.calls,
        "level": args.level, "per_eval": args.per_eval, "search_calls": search_calls, "search_seconds": round(search_seconds, 1), "params": params,
        "best": None if best is None else best["genome"].get("name"), "search_fitness": None if best is None else best["fitness"],
        "heldout": held, "search_items": args.search, "heldout_items": args.heldout, "heldout_error": why, **facts, **shared,
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }  # fmt: skip


def table(path: Path = RESULTS) -> h.Table:
    """Per task, system, budget and models: held-out score (mean and per seed), the best agent's name,
    the generated agents that ran, the median share of the search's calls spent scoring the seed archive
    (rows recorded before racing have none), search wall time."""
    t = h.Table([(n, "left" if i < 4 else "right") for i, n in enumerate(
        ["task", "system", "model", "best agents", "calls", "seeds", "held-out mean", "per seed", "ran", "seed-archive calls", "search s"])])  # fmt: skip
    t.title = "Best agent found vs best hand-designed agent, scored on held-out items"
    groups: dict[tuple, list] = {}
    rows = h.read_rows(path) if path.exists() else []
    old = [r for r in rows if r.get("superseded")]
    t.notes += [f"Not shown: {r['system']} seed {r['seed']} ({r['time']}): {r['superseded']}." for r in old]
    for r in (r for r in rows if not r.get("superseded")):
        meta = r.get("meta_model", r["model"])
        label = r["model"] if r["system"] == "baselines" or meta == r["model"] else f"{r['model']}+meta {meta}"
        task = r["task"] + (f" ({r['level']})" if r.get("level") else "")
        system = r["system"] + (" (seed scores shared)" if r.get("seed_archive_shared_calls") else "")
        groups.setdefault((task, system, label, r["calls"]), []).append(r)
    for (task, system, label, calls), rs in sorted(groups.items()):
        rs.sort(key=lambda r: r["seed"])
        held = [r["heldout"] for r in rs if r["heldout"] is not None]
        gen = sum(r.get("generated", 0) for r in rs)
        ran = f"{sum(r.get('generated_ran', 0) for r in rs)}/{gen}" if gen else "-"
        per_seed = " ".join("-" if r["heldout"] is None else f"{r['heldout']:.2f}" for r in rs)
        best = ", ".join(sorted({str(r["best"]) for r in rs}))
        mean = f"{statistics.mean(held):.3f}" if held else "-"
        wall = f"{statistics.median(r['search_seconds'] for r in rs):.0f}"
        shares = [r["seed_archive_share"] for r in rs if r.get("seed_archive_share") is not None]
        share = f"{statistics.median(shares):.0%}" if shares else "-"
        shared = [r["seed_archive_shared_calls"] for r in rs if r.get("seed_archive_shared_calls")]
        if shared:  # scored once by the baselines cell of the same items and reused
            share += f" (+{statistics.median(shared):.0f} shared)"
        t.add(task, system, label, best, calls, len(rs), mean, per_seed, ran, share, wall)
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--system", choices=SYSTEMS)
    ap.add_argument("--task", choices=TASKS, default="agent-arith")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calls", type=int, default=300, help="model calls of the search (meta agent + agents)")
    ap.add_argument("--search", type=int, default=30, help="search items (the only ones the search sees)")
    ap.add_argument("--heldout", type=int, default=30, help="held-out items scored")
    ap.add_argument("--level", default="", help="task options of the difficulty level, e.g. min_steps=1,max_steps=2")
    ap.add_argument("--per-eval", type=int, default=0, help="search items per evaluation (0: the task's default)")
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--meta-model", help="model of the meta agent (default: --model); calls count in the same budget")
    ap.add_argument("--threads", type=int, default=2, help="llama.cpp threads (1 on a busy machine)")
    ap.add_argument(
        "--seed-scores",
        action="store_true",
        help="adas: reuse the baselines cell's scored seed archive (same items, model)",
    )
    ap.add_argument("--no-cache", action="store_true", help="every answer a fresh call (no shared response cache)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="recipe parameters")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the table")
    args = ap.parse_args(argv)
    if not args.table:
        if args.system is None:
            ap.error("--system is required (or --table)")
        row = h.append_row(args.out, cell(args))  # with the command that made it and when
        print(json.dumps(row, indent=1))
    print(table(args.out).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
