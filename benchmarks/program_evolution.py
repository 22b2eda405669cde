"""Program evolution side by side: evoforge vs OpenEvolve 0.4.1 vs ShinkaEvolve 0.0.7, one model for all.

Every system talks to the same model: the embedded coder model (Qwen2.5-Coder-0.5B-Instruct, llama.cpp)
served by this script on 127.0.0.1 over the OpenAI API (``evoforge.llm.start_server_in_thread``). The
server caps every completion at ``--max-tokens`` whatever a system asks for, counts the calls, and
refuses calls beyond ``--calls``; the system's subprocess is stopped once the budget is spent. evoforge
itself goes through the same server (``--model openai:embedded:coder --base-url http://127.0.0.1:PORT/v1``),
so it pays the same HTTP path. Every program any system evaluates is scored by evoforge's task
evaluator (the anchors call it through a small evaluator file), which logs each evaluation; best
score, validity and improvement over the seed come from that one log, the same way for all systems.

"valid" is the share of the programs a model's answers became (after edits were applied) that
evaluated without error; "valid/call" is the number of such valid programs per model call (a system
whose answers never become programs has 0 of both). For evoforge, programs made by tuning constants
(no model call) are not counted in either.

For bin packing, each cell's best program is also scored on FunSearch's Weibull 5k instances ("5k
excess": excess bins over the L1 bound, %; best fit gets 4.13 % on our instances, 3.98 % in the
FunSearch paper's, FunSearch's evolved heuristic 0.68 %). Each row keeps its best program.

One (system, task, seed) cell per invocation; the result is appended to
``benchmarks/results/program_evolution.jsonl``; then the table of everything recorded is printed::

    python benchmarks/program_evolution.py --system evoforge --task binpack --seed 0 --calls 20
    python benchmarks/program_evolution.py --system openevolve --task binpack --seed 0 --calls 20
    python benchmarks/program_evolution.py --system shinka --task binpack --seed 0 --calls 20
    python benchmarks/program_evolution.py --table

Anchors are installed each in its own virtual environment:
``python -m venv /tmp/oe && /tmp/oe/bin/pip install openevolve==0.4.1`` and
``python -m venv /tmp/shinka && /tmp/shinka/bin/pip install shinka-evolve==0.0.7``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows and tables
from _program_anchors import OE_EVALUATOR, SHINKA_EVALUATE, SHINKA_RUN  # the anchors' files
from _program_budget import CappedModel, drive_anchor  # the call budget every system gets

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "program_evolution.jsonl"
TASK_OPTIONS = {"binpack": {"dataset": "weibull"}, "circle-packing": {}}
ARMS = {"both": {}, "model-only": {"tune": False}}  # evoforge's recipe parameters per ablation arm


# -- the evaluator every system uses ---------------------------------------------------------------
def evaluate_file(task: str, program_path: str, log: str | None) -> dict:
    """Score one program file with evoforge's evaluator; append the outcome to ``log``."""
    from evoforge.core.task import load_task

    t = load_task(task, TASK_OPTIONS.get(task, {}))
    code = Path(program_path).read_text()
    start = time.time()
    try:
        r = t.evaluate(code)
        out = {"ok": True, "score": float(r["score"]), "feedback": r.get("feedback", ""), "code": code}
    except Exception as err:  # the program failed: that is a result, not a crash
        out = {"ok": False, "score": None, "error": f"{type(err).__name__}: {err}"[:500]}
    out["seconds"] = round(time.time() - start, 3)
    out["seed_program"] = code.strip() == t.seed.strip()
    if log:
        with open(log, "a") as fh:
            fh.write(json.dumps({**out, "t": time.time()}) + "\n")
    return out


# -- systems --------------------------------------------------------------------------------------------
def run_evoforge(
    task: str, seed: int, calls: int, url: str, work: Path, log: Path, max_tokens: int, arm: str = "both"
) -> dict:
    from evoforge.run.api import evolve

    def on_batch(engine, batch):
        with open(log, "a") as fh:
            for c in batch:
                if c.status == "rejected":
                    continue
                fh.write(
                    json.dumps(
                        {
                            "ok": bool(c.ok),
                            "score": c.score if c.ok else None,
                            "operator": c.operator,
                            "seed_program": c.operator == "seed",
                            "model_made": c.operator not in ("seed", "tune"),
                            "error": None if c.ok else (c.reason or "")[:300],
                            "code": c.genome if c.ok else None,
                            "t": time.time(),
                        }
                    )
                    + "\n"
                )

    result = evolve(
        task,
        "evolve",
        budget=100000,
        seed=seed,
        out=work / "run.db",
        overwrite=True,
        on_batch=on_batch,
        model="openai:embedded:coder",
        base_url=url,
        max_calls=calls,
        workers=2,
        cache=False,  # fresh calls: the shared cache holds answers of earlier runs, builds and code
        task_options=TASK_OPTIONS.get(task, {}),
        recipe_params={"max_tokens": max_tokens, **ARMS[arm]},
    )
    return {"stop_reason": result.stop_reason}


def run_openevolve(
    task: str,
    seed: int,
    calls: int,
    url: str,
    work: Path,
    log: Path,
    max_tokens: int,
    capped: CappedModel,
    timeout: float,
) -> dict:
    from evoforge.core.task import load_task

    t = load_task(task, TASK_OPTIONS.get(task, {}))
    (work / "initial_program.py").write_text(t.seed)
    (work / "evaluator.py").write_text(
        OE_EVALUATOR.format(py=sys.executable, script=str(Path(__file__).resolve()), task=task, log=str(log))
    )
    config = textwrap.dedent(f"""
        max_iterations: {calls}
        checkpoint_interval: 1000
        random_seed: {seed}
        diff_based_evolution: true
        llm:
          api_base: "{url}"
          api_key: "none"
          models:
            - name: "embedded:coder"
              weight: 1.0
          temperature: 0.7
          max_tokens: {max_tokens}
          timeout: 600
          retries: 0
        database:
          population_size: 50
          num_islands: 2
          random_seed: {seed}
        evaluator:
          timeout: 120
          parallel_evaluations: 1
          cascade_evaluation: false
        prompt:
          system_message: "You are an expert Python programmer. Task: {t.description}"
        """)
    (work / "config.yaml").write_text(config)
    cmd = [
        "/tmp/oe/bin/openevolve-run",
        str(work / "initial_program.py"),
        str(work / "evaluator.py"),
        "--config",
        str(work / "config.yaml"),
        "--output",
        str(work / "out"),
        "--iterations",
        str(calls),
    ]
    return drive_anchor(cmd, work, capped, calls, timeout, env={"OPENAI_API_KEY": "none"})


def run_shinka(
    task: str,
    seed: int,
    calls: int,
    url: str,
    work: Path,
    log: Path,
    max_tokens: int,
    capped: CappedModel,
    timeout: float,
) -> dict:
    from evoforge.core.task import load_task

    t = load_task(task, TASK_OPTIONS.get(task, {}))
    (work / "initial.py").write_text(t.seed)
    (work / "evaluate.py").write_text(
        SHINKA_EVALUATE.format(py=sys.executable, script=str(Path(__file__).resolve()), task=task, log=str(log))
    )
    (work / "run_shinka.py").write_text(
        SHINKA_RUN.format(
            work=str(work), calls=calls, url=url, max_tokens=max_tokens, desc=t.description, py="/tmp/shinka/bin/python"
        )
    )
    env = {"SHINKA_PRICING_MODE": "offline", "OPENAI_API_KEY": "none", "PYTHONHASHSEED": str(seed)}
    return drive_anchor(["/tmp/shinka/bin/python", str(work / "run_shinka.py")], work, capped, calls, timeout, env=env)


# -- one cell -------------------------------------------------------------------------------------------
def run_cell(system: str, task: str, seed: int, calls: int, max_tokens: int, timeout: float, arm: str = "both") -> dict:
    from evoforge.core.task import load_task
    from evoforge.llm import get_model, start_server_in_thread

    work = Path(f"/tmp/pe-bench/{system}-{task}-s{seed}-{int(time.time())}")
    work.mkdir(parents=True, exist_ok=True)
    log = work / "evaluations.jsonl"
    capped = CappedModel(get_model("embedded:coder"), max_tokens, calls)  # no response cache: fresh calls
    t = load_task(task, TASK_OPTIONS.get(task, {}))
    seed_score = float(t.evaluate(t.seed)["score"])
    start = time.time()
    with start_server_in_thread(capped) as server:
        url = server.url.rstrip("/")
        url = url if url.endswith("/v1") else url + "/v1"
        if system == "evoforge":
            info = run_evoforge(task, seed, calls, url, work, log, max_tokens, arm)
        elif system == "openevolve":
            info = run_openevolve(task, seed, calls, url, work, log, max_tokens, capped, timeout)
        elif system == "shinka":
            info = run_shinka(task, seed, calls, url, work, log, max_tokens, capped, timeout)
        else:
            raise SystemExit(f"unknown system {system}")
    wall = time.time() - start
    rows = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    children = [r for r in rows if not r.get("seed_program")]
    model_made = [r for r in children if r.get("model_made", True)]
    scores = [r["score"] for r in rows if r["ok"]]
    best = max(scores) if scores else seed_score
    best_program = next((r["code"] for r in rows if r["ok"] and r["score"] == best and r.get("code")), None)
    if best <= seed_score:
        best_program = t.seed
    return {
        "system": system,
        "arm": arm,
        "task": task,
        "seed": seed,
        "calls_budget": calls,
        "calls": capped.done,
        "max_tokens": max_tokens,
        "seed_score": seed_score,
        "best_score": best,
        "improvement": best - seed_score,
        "evaluations": len(rows),
        "model_programs": len(model_made),
        "valid_share": (sum(r["ok"] for r in model_made) / len(model_made)) if model_made else 0.0,
        "seconds_per_call": capped.seconds / capped.done if capped.done else None,
        "completion_tokens_per_call": capped.completion_tokens / capped.done if capped.done else None,
        "prompt_tokens_per_call": capped.prompt_tokens / capped.done if capped.done else None,
        "wall_seconds": round(wall, 1),
        "work": str(work),
        **info,
        "best_program": best_program,
        **weibull5k(task, best_program),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def weibull5k(task: str, program: str | None) -> dict:
    """For bin packing: the excess bins (%) of ``program`` on FunSearch's Weibull 5k instances."""
    if task != "binpack" or not program:
        return {}
    from evoforge.core.task import load_task

    try:
        return {"weibull5k_excess": -float(load_task("binpack", {"dataset": "weibull5k"}).evaluate(program)["score"])}
    except Exception as err:  # recorded, not fatal
        return {"weibull5k_error": f"{type(err).__name__}: {err}"[:300]}


def backfill() -> None:
    """Add the best program and its Weibull 5k excess to recorded binpack rows that lack them (rows from
    before these fields existed), reading each cell's evaluation log or evoforge run file."""
    from evoforge.core.task import load_task
    from evoforge.store.run_file import RunStore

    rows = h.read_rows(RESULTS)
    seed_code = load_task("binpack").seed
    for r in rows:
        if r["task"] != "binpack" or "weibull5k_excess" in r:
            continue
        program = seed_code if r["best_score"] <= r["seed_score"] else None
        work = Path(r.get("work", ""))
        if program is None and (work / "run.db").exists():
            best = RunStore.open(work / "run.db").best()
            program = best.genome if best is not None and best.score == r["best_score"] else None
        if program is None and (work / "evaluations.jsonl").exists():
            logged = [json.loads(x) for x in (work / "evaluations.jsonl").read_text().splitlines()]
            program = next(
                (x["code"] for x in logged if x.get("ok") and x["score"] == r["best_score"] and x.get("code")), None
            )
        if program is not None:
            r["best_program"] = program
            r.update(weibull5k("binpack", program))
            print(
                f"{r['system']} seed {r['seed']} ({r['calls_budget']} calls): Weibull 5k excess "
                f"{r.get('weibull5k_excess', float('nan')):.3f} %"
            )
    RESULTS.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _system(row: dict) -> str:
    """The system, with the evoforge ablation arm when it is not the default."""
    arm = row.get("arm", "both")
    return row["system"] if arm == "both" else f"{row['system']} ({arm})"


def table() -> h.Table:
    """Medians (and means, for validity) over the seeds of each (task, system, call budget); a re-run of a
    seed replaces its earlier row."""
    t = h.Table(
        [
            ("task", "left"),
            ("system", "left"),
            ("calls", "right"),
            ("seeds", "right"),
            ("median best", "right"),
            ("seed", "right"),
            ("improvement", "right"),
            ("valid", "right"),
            ("valid/call", "right"),
            ("s/call", "right"),
            ("tok/call", "right"),
            ("5k excess", "right"),
        ]
    )
    latest = h.latest(h.read_rows(RESULTS), lambda r: (r["task"], _system(r), r["calls_budget"], r["seed"]))
    cells = h.group(latest.values(), lambda r: (r["task"], _system(r), r["calls_budget"]))
    for (task, system, calls), rs in sorted(cells.items()):
        spc = h.summarise(r["seconds_per_call"] or None for r in rs)
        tpc = h.summarise(r.get("completion_tokens_per_call") or None for r in rs)
        excess = h.summarise(r.get("weibull5k_excess") for r in rs)
        t.add(
            task,
            system,
            calls,
            len(rs),
            f"{statistics.median(r['best_score'] for r in rs):.4f}",
            f"{statistics.median(r['seed_score'] for r in rs):.4f}",
            f"{statistics.median(r['improvement'] for r in rs):+.4f}",
            f"{statistics.mean(r['valid_share'] for r in rs):.0%}",
            f"{statistics.mean(r['valid_share'] * r['model_programs'] / max(r['calls'], 1) for r in rs):.2f}",
            f"{spc.median if spc else float('nan'):.1f}",
            f"{tpc.median if tpc else float('nan'):.0f}",
            f"{excess.median:.3f}%" if excess else "-",
        )
    if not t.rows:
        t.notes.append("(nothing recorded yet)")
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", choices=["evoforge", "openevolve", "shinka"])
    ap.add_argument("--task", default="binpack", choices=sorted(TASK_OPTIONS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calls", type=int, default=40, help="model calls per run (the benchmark's budget is 40)")
    ap.add_argument("--max-tokens", type=int, default=384, help="cap on every completion, for every system")
    ap.add_argument("--timeout", type=float, default=3600, help="wall-clock limit of one anchor run (s)")
    ap.add_argument(
        "--arm",
        choices=sorted(ARMS),
        default="both",
        help="evoforge ablation: both (model edits and constant tuning) or model-only (no tuning)",
    )
    ap.add_argument("--table", action="store_true", help="only print the table of recorded results")
    ap.add_argument("--backfill", action="store_true", help="add Weibull 5k results to older binpack rows")
    ap.add_argument("--no-record", action="store_true", help="run the cell but do not append it (smoke tests)")
    ap.add_argument("--evaluate", nargs=2, metavar=("TASK", "PROGRAM"), help=argparse.SUPPRESS)
    ap.add_argument("--log", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.evaluate:
        print(json.dumps(evaluate_file(args.evaluate[0], args.evaluate[1], args.log)))
        return
    if args.backfill:
        backfill()
    elif not args.table:
        if not args.system:
            ap.error("--system is required (or --table)")
        if args.arm != "both" and args.system != "evoforge":
            ap.error("--arm is an evoforge ablation")
        row = run_cell(args.system, args.task, args.seed, args.calls, args.max_tokens, args.timeout, args.arm)
        if not args.no_record:
            row = h.append_row(RESULTS, row)
        print(json.dumps(row, indent=1))
    print(table())


if __name__ == "__main__":
    main()
