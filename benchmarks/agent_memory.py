"""Agent memory benchmark: the same phone agent with no memory (the control arm) and with each memory
recipe's memory, on the ``agent-apps`` task. One (system, seed) cell per invocation; the row is
appended to benchmarks/results/agent_memory.jsonl and the table of every recorded row is printed::

    python benchmarks/agent_memory.py --system none --seed 0
    python benchmarks/agent_memory.py --system mobile-agent-e --seed 0
    python benchmarks/agent_memory.py --table

A cell has two phases. Learning: the recipe runs the search sequence in order (memory recalled before
each task, updated by the reflector after it); every arm gets the same cap on model calls (``--calls``,
agent and reflector calls together, cached or not), so a memory arm pays for its reflections with
tasks it may not reach. Held-out: the learned memory, frozen, is recalled for each task of the
held-out sequence (another phone, other goals); every arm gets the same per-task call limit there.
Rows give the held-out success rate and the model calls and actions per solved task, and the
learning phase's success and calls (agent / reflector). The agent and the reflector call the same
model (``--model``, default ``embedded``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows

RESULTS = Path(__file__).with_name("results") / "agent_memory.jsonl"
SYSTEMS = {"none": "mobile-agent-e", "mobile-agent-e": "mobile-agent-e", "mobile-steward": "mobile-steward",
           "long-term-memory": "long-term-memory", "expel": "expel"}  # fmt: skip


def make_model(spec: str, threads: int = 2):
    from evoforge.genomes.agents import set_agent_model
    from evoforge.llm import get_model
    from evoforge.llm.model_files import user_cache_dir

    opts = {"n_threads": threads} if spec.startswith("embedded") else {}
    model = get_model(spec, cache=user_cache_dir() / "bench-agent-memory.sqlite", **opts)
    set_agent_model(model)
    return model


def learn(system: str, task, model, seed: int, calls: int):
    """Run the recipe on the search sequence under the call cap; (recipe, facts)."""
    from evoforge.core.budget import Budget
    from evoforge.llm.account import ModelAccount
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor

    recipe = get_recipe(SYSTEMS[system]).from_params({"memory": system != "none"})
    budget = Budget(evaluations=10_000, max_calls=calls)
    spend = ModelAccount(model, budget, across_processes=False)  # the model refuses calls past max_calls
    engine = Engine(task, recipe, seed=seed, budget=budget, model=model, spend=spend)
    result = engine.run(InProcessExecutor(task))
    model.budget = None
    tags = model.usage.by_tag()
    history = recipe.history
    return recipe, {
        "stop_reason": result.stop_reason, "learn_tasks": len(history),
        "learn_solved": sum(r["solved"] for r in history),
        "learn_agent_calls": tags["agent"].answers if "agent" in tags else 0,
        "learn_reflect_calls": tags["reflect"].answers if "reflect" in tags else 0,
        "memory_entries": len(recipe.mem.entries()) if recipe.mem else 0,
    }  # fmt: skip


def heldout(task, recipe, n: int) -> dict:
    """The frozen memory recalled for each held-out task; success, calls and actions per solved task."""
    from evoforge.genomes.agents import AgentFailure
    from evoforge.genomes.agents.memory.base import with_memory

    items = task.value.heldout[:n]
    solved, calls, actions, failures = 0, 0, 0, 0
    for i, item in enumerate(items):
        genome = {**with_memory(recipe.agent, recipe.mem, task.value.shown(item)), "split": "heldout", "items": [i]}
        try:
            result = task.evaluate(genome)
        except AgentFailure:
            failures += 1
            continue
        if result["score"] >= 1.0:
            solved += 1
            calls += result["metrics"]["calls"]
            actions += sum(result["metrics"]["actions"])
    return {
        "heldout_tasks": len(items), "heldout_success": solved / len(items) if items else 0.0,
        "calls_per_solved": calls / solved if solved else None,
        "actions_per_solved": actions / solved if solved else None,
        "heldout_agent_failures": failures,
    }  # fmt: skip


def cell(args: argparse.Namespace) -> dict:
    from evoforge.core.task import load_task

    model = make_model(args.model, args.threads)
    task = load_task("agent-apps", {"tasks": args.tasks, "seed": args.seed, "call_limit": args.call_limit})
    calls = args.calls or args.tasks * args.call_limit
    start = time.perf_counter()
    recipe, facts = learn(args.system, task, model, args.seed, calls)
    held = heldout(task, recipe, args.heldout or args.tasks)
    return {
        "system": args.system, "seed": args.seed, "model": args.model, "tasks": args.tasks,
        "call_limit": args.call_limit, "calls": calls, **facts, **held,
        "seconds": round(time.perf_counter() - start, 1), "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }  # fmt: skip


def table(path: Path = RESULTS) -> str:
    if not path.exists():
        return "no rows yet"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r["model"], r["tasks"], r["call_limit"], r["calls"], r["system"]), []).append(r)
    lines = [f"{'model':<14} {'tasks':>5} {'limit':>5} {'calls':>5} {'system':<17} {'seeds':>5} "
             f"{'held-out success':>17} {'calls/solved':>12} {'reflect':>7}"]  # fmt: skip
    for (model, tasks, limit, calls, system), rs in sorted(groups.items()):
        success = [r["heldout_success"] for r in rs]
        spread = f" ± {statistics.stdev(success):.2f}" if len(success) > 1 else ""
        per = [r["calls_per_solved"] for r in rs if r["calls_per_solved"] is not None]
        per_text = f"{statistics.mean(per):.1f}" if per else "-"
        reflect = statistics.mean(r["learn_reflect_calls"] for r in rs)
        lines.append(
            f"{model:<14} {tasks:>5} {limit:>5} {calls:>5} {system:<17} {len(rs):>5} "
            f"{statistics.mean(success):>10.2f}{spread:<7} {per_text:>12} {reflect:>7.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--system", choices=tuple(SYSTEMS))
    ap.add_argument("--seed", type=int, default=0, help="which sequences (search and held-out)")
    ap.add_argument("--tasks", type=int, default=16, help="tasks per sequence")
    ap.add_argument("--heldout", type=int, default=0, help="held-out tasks scored (0: --tasks)")
    ap.add_argument("--call-limit", type=int, default=7, help="model calls per task")
    ap.add_argument("--calls", type=int, default=0, help="model calls of the learning phase (0: tasks x call-limit)")
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--threads", type=int, default=2, help="llama.cpp threads (1 on a busy machine)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the table")
    args = ap.parse_args(argv)
    if not args.table:
        if args.system is None:
            ap.error("--system is required (or --table)")
        row = h.append_row(args.out, cell(args))  # with the command that made it and when
        print(json.dumps(row, indent=1))
    print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
