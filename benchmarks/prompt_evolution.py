"""Prompt evolution benchmark: evoforge promptbreeder vs DSPy GEPA vs DSPy MIPROv2 vs a hand-written
chain-of-thought prompt, same task model (embedded SmolLM2-135M-Instruct, greedy, one thread) and the
same budget of metric calls (items scored while optimising), held-out accuracy on >= 200 items.

One (system, task, seed) cell per invocation; the result is appended to
benchmarks/results/prompt_evolution.jsonl and the table of everything recorded is printed::

    python benchmarks/prompt_evolution.py --system evoforge --task sentiment --seed 0
    python benchmarks/prompt_evolution.py --system gepa --task sums --seed 1 --metric-calls 300
    python benchmarks/prompt_evolution.py --table

DSPy talks to the very same model object through evoforge's OpenAI-compatible server on 127.0.0.1.
Planning cells (``--task meeting-scheduling``) use the task model that ``EVOFORGE_TASK_MODEL`` names
(default ``embedded``, SmolLM2-135M; ``embedded:coder`` is Qwen2.5-Coder-0.5B), recorded in each row.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables
from _planning import PLANNERS, planning_table, run_planner  # the meeting-scheduling cells

RESULTS = Path(__file__).with_name("results") / "prompt_evolution.jsonl"
SYSTEMS = ("evoforge", "gepa", "miprov2", "cot", "seed")
TASKS = ("sentiment", "topic", "sums")


def task_module(name: str):
    import importlib

    return importlib.import_module(f"evoforge.tasks.prompts.{name}")


def shared_model():
    from evoforge.genomes.prompts import task as prompt_task

    return prompt_task.task_model()  # one llama.cpp instance for the optimiser, DSPy and the metric


def heldout(spec, prompt: dict, n: int) -> dict:
    r = spec.evaluate({**prompt, "split": "test", "items": list(range(n))}, model=shared_model())
    return {"accuracy": r["score"], "items": n}


# -- systems -----------------------------------------------------------------------------------------
SETTINGS = ("population", "minibatch", "validate_top", "validate_items", "finalists", "operators", "selection")


def evolve_prompt(task_name: str, seed: int, calls: int, params: dict):
    """One promptbreeder run with ``calls`` metric calls on the shared task model: (recipe, result)."""
    from evoforge.core.budget import Budget
    from evoforge.core.task import load_task
    from evoforge.recipes.registry import get_recipe
    from evoforge.run.engine import Engine
    from evoforge.run.executors import InProcessExecutor

    task = load_task(task_name)
    recipe = get_recipe("promptbreeder").from_params({"max_metric_calls": calls, **params})
    recipe.model = shared_model()
    result = Engine(task, recipe, seed=seed, budget=Budget(evaluations=10_000)).run(InProcessExecutor(task, None))
    return recipe, result


def settings_of(recipe) -> dict:
    """Promptbreeder's effective settings, defaults included (recorded with each row)."""
    return {k: getattr(recipe, k) for k in SETTINGS}


def parse_sets(ap: argparse.ArgumentParser, pairs: list[str]) -> dict:
    """``--set KEY=VALUE`` pairs as a dict; a pair without ``=`` is a usage error."""
    bad = [kv for kv in pairs if "=" not in kv]
    if bad:
        ap.error(f"--set takes KEY=VALUE, not {bad[0]!r}")
    return dict(kv.split("=", 1) for kv in pairs)


def run_evoforge(spec, seed: int, calls: int, n_test: int, params: dict) -> dict:
    before = shared_model().usage.snapshot()["by_tag"]
    recipe, result = evolve_prompt(spec.name, seed, calls, params)
    best = recipe.best_prompt()
    after = recipe.model.usage.snapshot()["by_tag"]
    op_calls = sum(
        v["calls"] + v["cache_hits"] - before.get(k, {}).get("calls", 0) - before.get(k, {}).get("cache_hits", 0)
        for k, v in after.items()
        if k != "metric"
    )
    return {
        "prompt": best,
        "settings": settings_of(recipe),
        "metric_calls": recipe.metric_calls,
        "optimizer_calls": op_calls,
        "stop_reason": result.stop_reason,
        "candidates": result.evaluations,
        "fallbacks": recipe.fallbacks,
        **heldout(spec, best, n_test),
    }


def run_fixed(spec, which: str, n_test: int) -> dict:
    prompt = (
        {"instruction": spec.cot_instruction, "demos": [], "max_tokens": 40}
        if which == "cot"
        else {"instruction": spec.seed_instruction, "demos": []}
    )
    return {"prompt": prompt, "metric_calls": 0, "optimizer_calls": 0, **heldout(spec, prompt, n_test)}


def _dspy_setup(spec, feedback: bool):
    import dspy

    from evoforge.llm import start_server_in_thread

    server = start_server_in_thread(shared_model())
    lm = dspy.LM(
        "openai/smollm2-135m-instruct",
        api_base=server.url,
        api_key="local",
        temperature=0.0,
        max_tokens=12,
        cache=False,
        num_retries=0,
    )
    reflection = dspy.LM(
        "openai/smollm2-135m-instruct",
        api_base=server.url,
        api_key="local",
        temperature=0.9,
        max_tokens=256,
        cache=False,
        num_retries=0,
    )
    dspy.configure(lm=lm, adapter=_plain_adapter(dspy)())

    class Solve(dspy.Signature):
        question: str = dspy.InputField()
        answer: str = dspy.OutputField()

    Solve.__doc__ = spec.seed_instruction
    program = dspy.Predict(Solve.with_instructions(spec.seed_instruction))
    counter = {"calls": 0}

    def score(gold, pred):
        text = str(getattr(pred, "answer", "") or "")
        ok, got = spec.score_output(text, gold.answer)
        return ok, got, text

    def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
        counter["calls"] += 1
        ok, got, text = score(gold, pred)
        if not feedback or (pred_name is None and trace is None):
            return float(ok)  # MIPROv2 bootstraps demos with trace set: it needs a plain score, not a truthy object
        fb = "correct" if ok else f"expected {gold.answer!r}, the answer field was {text[:80]!r} (read as {got!r})"
        return dspy.Prediction(score=float(ok), feedback=fb)

    def examples(split, ids):
        data = spec.split(split)
        return [dspy.Example(question=data[i][0], answer=data[i][1]).with_inputs("question") for i in ids]

    return dspy, server, lm, reflection, program, metric, counter, score, examples


def _plain_adapter(dspy):
    """The same rendering the evoforge evaluator uses (system = instructions, demos as chat turns, the
    question as the last user turn) and the whole reply as every output field: a 135M model cannot
    follow DSPy's [[ ## field ## ]] or JSON formats (tried: ~0 % and ~20 s per rollout on retries)."""

    class PlainAdapter(dspy.Adapter):
        def format(self, signature, demos, inputs):
            def user(values):
                keys = list(signature.input_fields)
                if len(keys) == 1:
                    return str(values.get(keys[0], ""))
                return "\n".join(f"{k}: {values.get(k, '')}" for k in keys)

            msgs = [{"role": "system", "content": signature.instructions or ""}]
            for d in demos:
                if all(k in d for k in signature.output_fields):
                    msgs.append({"role": "user", "content": user(d)})
                    msgs.append({"role": "assistant", "content": "\n".join(str(d[k]) for k in signature.output_fields)})
            msgs.append({"role": "user", "content": user(inputs)})
            return msgs

        def parse(self, signature, completion):
            return {k: completion.strip() for k in signature.output_fields}

    return PlainAdapter


def run_dspy(spec, which: str, seed: int, calls: int, n_test: int) -> dict:
    dspy, server, lm, reflection, program, metric, counter, score, examples = _dspy_setup(
        spec, feedback=which == "gepa"
    )
    import random

    rng = random.Random(seed)
    ids = rng.sample(range(len(spec.split("train"))), 70)
    train, val = examples("train", ids[:50]), examples("train", ids[50:])
    try:
        if which == "gepa":
            opt = dspy.GEPA(
                metric=metric,
                max_metric_calls=calls,
                reflection_lm=reflection,
                seed=seed,
                reflection_minibatch_size=3,
                num_threads=1,
                track_stats=False,
            )
            tuned = opt.compile(program, trainset=train, valset=val)
        else:
            opt = dspy.MIPROv2(
                metric=metric,
                auto=None,
                num_candidates=6,
                max_bootstrapped_demos=2,
                max_labeled_demos=2,
                num_threads=1,
                seed=seed,
                verbose=False,
                prompt_model=reflection,
                task_model=lm,
            )
            # ~300 metric calls: bootstrapping (<= 50), minibatches of 10 and two full evals of 20
            trials = max(4, (calls - 90) // 10)
            tuned = opt.compile(
                program,
                trainset=train,
                valset=val,
                num_trials=trials,
                minibatch=True,
                minibatch_size=10,
                minibatch_full_eval_steps=10,
                requires_permission_to_run=False,
            )
        spent = counter["calls"]
        correct = 0
        test = examples("test", range(n_test))
        for ex in test:
            try:
                pred = tuned(question=ex.question)
                correct += bool(score(ex, pred)[0])
            except Exception:  # a DSPy failure on one item counts as wrong
                correct += 0
        pred = tuned.predictors()[0]
        prompt = {
            "instruction": pred.signature.instructions,
            "demos": [[d.get("question"), d.get("answer")] for d in pred.demos],
        }
        return {
            "prompt": prompt,
            "metric_calls": spent,
            "optimizer_calls": None,
            "accuracy": correct / n_test,
            "items": n_test,
        }
    finally:
        server.close() if hasattr(server, "close") else None


# -- table ---------------------------------------------------------------------------------------------
def table(path: Path = RESULTS, seeds: range | None = None) -> h.Table:
    """Held-out accuracy per (task, system): mean ± sd and median over the recorded seeds (``seeds``: only
    those)."""
    rows = [r for r in h.read_rows(path) if "instance" not in r and (seeds is None or int(r["seed"]) in seeds)]
    latest = h.latest(
        rows, lambda r: (r["task"], r["system"], r["seed"], r.get("budget_metric_calls"), r.get("model", "embedded"))
    )  # a re-run of a cell replaces it
    cells = h.group(
        latest.values(),
        lambda r: (
            r["task"],
            r["system"] if r.get("model", "embedded") == "embedded" else f"{r['system']} ({r['model']})",
        ),
    )  # another task model: own cell
    t = h.Table(
        [
            ("task", "left"),
            ("system", "left"),
            ("seeds", "right"),
            ("held-out acc", "left"),
            ("median", "right"),
            ("metric calls", "right"),
            ("minutes", "right"),
        ]
    )
    for (task, system), rs in sorted(cells.items()):
        acc = h.summarise(r["accuracy"] for r in rs)
        sd = f"±{acc.sd:.3f}" if acc.sd is not None else ""
        t.add(
            task,
            system,
            len(rs),
            f"{acc.mean:.3f}{sd}",
            f"{acc.median:.3f}",
            f"{statistics.mean(r['metric_calls'] for r in rs):.0f}",
            f"{statistics.mean(r['seconds'] for r in rs) / 60:.1f}",
        )
    if len(rows) > len(latest):
        t.notes.append(
            f"({len(rows) - len(latest)} earlier row(s) of re-run cells are kept in the file but not counted)"
        )
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--system", choices=SYSTEMS + PLANNERS)
    ap.add_argument("--task", choices=TASKS + ("meeting-scheduling",))
    ap.add_argument("--instances", default="0-9", help="planning: instance range A-B")
    ap.add_argument("--calls", type=int, default=16, help="planning: model calls per instance")
    ap.add_argument("--people", type=int, default=4, help="planning: people per meeting")
    ap.add_argument("--duration", type=int, default=60, help="planning: meeting minutes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--metric-calls", type=int, default=300)
    ap.add_argument("--test-items", type=int, default=200)
    ap.add_argument(
        "--set", action="append", default=[], help="recipe parameter KEY=VALUE (promptbreeder, or a planning recipe)"
    )
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the table")
    ap.add_argument("--seeds", default="", help="table: only these seeds, A-B (default: all recorded)")
    args = ap.parse_args(argv)
    if args.table or not args.system:
        lo, _, hi = args.seeds.partition("-")
        print(h.tables([table(args.out, range(int(lo), int(hi or lo) + 1) if lo else None), planning_table(args.out)]))
        return 0
    params = parse_sets(ap, args.set)
    if args.system in PLANNERS:
        lo, _, hi = args.instances.partition("-")
        out_path = args.out
        for instance in range(int(lo), int(hi or lo) + 1):
            t0 = time.time()
            row = {
                "system": args.system,
                "task": "meeting-scheduling",
                "instance": instance,
                "seed": args.seed,
                "budget_calls": args.calls,
                "people": args.people,
                "duration": args.duration,
                "model": os.environ.get("EVOFORGE_TASK_MODEL", "embedded"),
                **({"params": params} if params else {}),
                **run_planner(args.system, instance, args.calls, args.seed, args.people, args.duration, params),
                "seconds": round(time.time() - t0, 1),
            }
            print(json.dumps(h.append_row(out_path, row)), flush=True)
        print(planning_table(out_path))
        return 0
    if not args.task:
        ap.error("--task is required with --system")
    spec = task_module(args.task).TASK
    if args.test_items > len(spec.split("test")):
        ap.error(f"--test-items: the held-out split has {len(spec.split('test'))} items")
    t0 = time.time()
    if args.system == "evoforge":
        out = run_evoforge(spec, args.seed, args.metric_calls, args.test_items, params)
    elif args.system in ("cot", "seed"):
        out = run_fixed(spec, args.system, args.test_items)
    else:
        out = run_dspy(spec, args.system, args.seed, args.metric_calls, args.test_items)
    row = {
        "system": args.system,
        "task": args.task,
        "seed": args.seed,
        "budget_metric_calls": args.metric_calls,
        "model": os.environ.get("EVOFORGE_TASK_MODEL", "embedded"),
        "task_model": "greedy, as EVOFORGE_TASK_MODEL names it (embedded: SmolLM2-135M-Instruct)",
        "seconds": round(time.time() - t0, 1),
        "params": params,
        **out,
    }
    row = h.append_row(args.out, row)
    print(json.dumps({k: v for k, v in row.items() if k != "prompt"}))
    print("prompt:", json.dumps(row["prompt"])[:600])
    print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
