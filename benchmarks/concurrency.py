"""Many model calls in flight while programs evaluate: wall time of the same work in evoforge
(synchronous and asynchronous), OpenEvolve 0.4.1 and ShinkaEvolve 0.0.7, beside the limit.

The model is a stub (``evoforge.llm.stub.LatencyStub``) served on 127.0.0.1 over the OpenAI API: it
answers every request after ``--latency`` seconds with a new valid program, refuses requests past
``--calls`` and records the most requests it had in flight. It times orchestration only; it says
nothing about the quality of any system's search. The task (``benchmarks/tasks/fixed_cost.py``) costs
``--cost`` CPU-seconds of busy work per evaluation, plus running the program (evoforge runs it in its
sandbox; the anchors' evaluators import it). Every system gets ``--concurrency`` requests in flight
and the machine's 2 evaluation workers:

* evoforge sync: ``--concurrency 8 --batch-size 8 --set calls_per_batch=8`` (a batch's requests sent
  together, then its evaluations);
* evoforge async: ``--async --concurrency 8 --batch-size 1`` (requests keep going out while children
  are evaluated);
* OpenEvolve: ``evaluator.parallel_evaluations = 8`` (8 worker processes, each an LLM call then an
  evaluation);
* ShinkaEvolve: ``max_proposal_jobs = 8``, ``max_evaluation_jobs = 2`` (its asynchronous runner). It
  lowers proposal jobs to ``cpu_count // 2`` (1 on a 2-core machine) as a user would get it;
  ``shinka-uncapped`` bypasses that check, so its runner really keeps 8 proposals going.

Both evoforge runs use ``--set tune=false --set near_duplicate=0`` (one model call, one child; no
embedding model), the anchors' embedding, novelty and meta features are off. Wall time is measured
from the launch of the system's process to the end of the last evaluation of a model-made program
(each system's evaluator appends its end time to a log), so it includes start-up but not shutdown.
The limit is max(calls x latency / concurrency, calls x cost / 2 workers).

All systems, all seeds, in one run; rows are appended to ``benchmarks/results/concurrency.jsonl``::

    python benchmarks/concurrency.py --seeds 3
    python benchmarks/concurrency.py --table

Anchors each in their own virtual environment (see ``benchmarks/program_evolution.py``):
``/tmp/oe`` (openevolve==0.4.1) and ``/tmp/shinka`` (shinka-evolve==0.0.7).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "concurrency.jsonl"
TASK_FILE = ROOT / "benchmarks" / "tasks" / "fixed_cost.py"
SEED_PROGRAM = (
    "# EVOLVE-BLOCK-START\ndef solve(x):\n    return x\n# EVOLVE-BLOCK-END\n"  # ShinkaEvolve needs the markers
)
SYSTEMS = ("evoforge-sync", "evoforge-async", "openevolve", "shinka", "shinka-uncapped")

ANCHOR_EVAL = """
import importlib.util, json, time
COST, LOG, SEED = {cost!r}, {log!r}, {seed!r}

def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass

def score_file(path):
    spec = importlib.util.spec_from_file_location("program", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return -abs(float(module.solve(3)) - 42.0)

def logged(path):
    burn(COST)
    try:
        return score_file(path)
    finally:
        with open(LOG, "a") as fh:
            fh.write(json.dumps({{"t": time.time(), "seed": open(path).read().strip() == SEED.strip()}}) + "\\n")
"""

OE_EVALUATOR = """
def evaluate(program_path):
    return {"combined_score": logged(program_path)}
"""

SHINKA_EVALUATE = """
import argparse, os
p = argparse.ArgumentParser()
p.add_argument("--program_path", required=True)
p.add_argument("--results_dir", required=True)
a = p.parse_args()
os.makedirs(a.results_dir, exist_ok=True)
score = logged(a.program_path)
def put(name, value):
    json.dump(value, open(os.path.join(a.results_dir, name), "w"))
put("metrics.json", {"combined_score": score, "public": {}, "private": {}})
put("correct.json", {"correct": True, "error": None})
"""

SHINKA_RUN = """
import os
from shinka.core import EvolutionConfig, ShinkaEvolveRunner
from shinka.database import DatabaseConfig
from shinka.launch import LocalJobConfig
work = {work!r}
evo = EvolutionConfig(
    task_sys_msg="You are an expert Python programmer. solve(3) should return 42.",
    patch_types=["full"], patch_type_probs=[1.0], num_generations={calls} + 1,
    max_patch_resamples=1, max_patch_attempts=1, language="python",
    init_program_path=os.path.join(work, "initial.py"), results_dir=os.path.join(work, "out"),
    llm_models=["local/stub@{url}"], llm_dynamic_selection=None, llm_kwargs=dict(temperatures=[0.7], max_tokens=64),
    meta_rec_interval=None, embedding_model=None, use_text_feedback=False,
)
db = DatabaseConfig(db_path="evolution_db.sqlite", num_islands=2, archive_size=40,
                    parent_selection_strategy="power_law")
job = LocalJobConfig(eval_program_path=os.path.join(work, "evaluate.py"), python_executable={py!r})
if {uncapped}:  # ShinkaEvolve lowers proposal jobs to cpu_count // 2 (1 on 2 cores); here it keeps what it is given
    ShinkaEvolveRunner._validate_concurrency_settings = lambda self, e, p, d, c: (e, p, d)
runner = ShinkaEvolveRunner(evo_config=evo, job_config=job, db_config=db, verbose=False,
                            max_evaluation_jobs={workers}, max_proposal_jobs={concurrency})
runner.stuck_detection_timeout = float("inf")
runner.run()
"""

OE_CONFIG = """
max_iterations: {calls}
checkpoint_interval: 100000
random_seed: {seed}
diff_based_evolution: false
llm:
  api_base: "{url}"
  api_key: "none"
  models:
    - name: "stub"
      weight: 1.0
  temperature: 0.7
  max_tokens: 64
  timeout: 60
  retries: 0
database:
  population_size: 50
  num_islands: 2
  random_seed: {seed}
evaluator:
  timeout: 60
  parallel_evaluations: {concurrency}
  cascade_evaluation: false
prompt:
  system_message: "You are an expert Python programmer. solve(3) should return 42."
"""


def program(i: int) -> str:
    """The stub's answer to request ``i``: a new valid program in a fenced block."""
    return f"```python\ndef solve(x):\n    return x * {1 + i % 7} + {i}\n```"


class CappedStub:
    """The stub model, refusing requests past ``calls`` (every system gets the same number)."""

    def __new__(cls, calls: int, latency: float):
        from evoforge.llm import BudgetExceededError
        from evoforge.llm.stub import LatencyStub

        class Capped(LatencyStub):
            def _generate(self, req):
                with self._books:
                    self.served = getattr(self, "served", 0) + 1
                    if self.served > calls:
                        raise BudgetExceededError(f"benchmark budget of {calls} calls spent")
                return super()._generate(req)

        return Capped(program, latency=latency)


def command(system: str, args: argparse.Namespace, seed: int, url: str, work: Path, log: Path) -> list[str]:
    if system.startswith("evoforge"):
        cmd = [sys.executable, "-m", "evoforge", "run", "evolve", "--task", str(TASK_FILE), "--seed", str(seed)]
        cmd += ["--set", f"task.cost={args.cost}", "--set", f"task.log={log}", "--model", "openai:stub"]
        cmd += ["--base-url", url, "--max-calls", str(args.calls), "--concurrency", str(args.concurrency)]
        cmd += ["--workers", "2", "--budget", "100000", "--out", str(work / "run.db"), "-q"]
        cmd += ["--set", "tune=false", "--set", "near_duplicate=0", "--set", "max_tokens=64"]
        if system == "evoforge-async":
            return cmd + ["--async", "--batch-size", "1"]
        return cmd + ["--batch-size", str(args.concurrency), "--set", f"calls_per_batch={args.concurrency}"]
    if system == "openevolve":
        (work / "initial_program.py").write_text(SEED_PROGRAM)
        (work / "evaluator.py").write_text(
            ANCHOR_EVAL.format(cost=args.cost, log=str(log), seed=SEED_PROGRAM) + OE_EVALUATOR
        )
        config = OE_CONFIG.format(calls=args.calls, seed=seed, url=url, concurrency=args.concurrency)
        (work / "config.yaml").write_text(textwrap.dedent(config))
        return [
            "/tmp/oe/bin/openevolve-run", str(work / "initial_program.py"), str(work / "evaluator.py"),
            "--config", str(work / "config.yaml"), "--output", str(work / "out"), "--iterations", str(args.calls),
        ]  # fmt: skip
    (work / "initial.py").write_text(SEED_PROGRAM)
    (work / "evaluate.py").write_text(
        ANCHOR_EVAL.format(cost=args.cost, log=str(log), seed=SEED_PROGRAM) + SHINKA_EVALUATE
    )
    run = SHINKA_RUN.format(
        work=str(work),
        calls=args.calls,
        url=url,
        py="/tmp/shinka/bin/python",
        workers=2,
        concurrency=args.concurrency,
        uncapped=system == "shinka-uncapped",
    )
    (work / "run_shinka.py").write_text(run)
    return ["/tmp/shinka/bin/python", str(work / "run_shinka.py")]


def children_logged(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text().splitlines() if line.strip() and not json.loads(line)["seed"])


def wait(proc: subprocess.Popen, log: Path, calls: int, deadline: float) -> int | str:
    """The exit code; a system still running 5 s after its last child was evaluated (e.g. retrying
    refused requests) or past the deadline is stopped."""
    done_at = None
    while proc.poll() is None:
        time.sleep(0.5)
        if done_at is None and children_logged(log) >= calls:
            done_at = time.time()
        if (done_at is not None and time.time() - done_at > 5) or time.time() > deadline:
            proc.kill()
            proc.wait()
            return "stopped" if done_at is not None else "timeout"
    return proc.returncode


def run_cell(system: str, args: argparse.Namespace, seed: int) -> dict:
    from evoforge.llm import start_server_in_thread

    work = Path(f"/tmp/concurrency-bench/{system}-s{seed}-{int(time.time())}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = work / "evaluations.jsonl"
    stub = CappedStub(args.calls, args.latency)
    env = {**os.environ, "EVOFORGE_CACHE_DIR": str(work / "cache"), "OPENAI_API_KEY": "none"}
    env.update({"SHINKA_PRICING_MODE": "offline", "PYTHONHASHSEED": str(seed)})
    with start_server_in_thread(stub) as server:
        url = server.url.rstrip("/")
        cmd = command(system, args, seed, url, work, log)
        start = time.time()
        with open(work / "stdout.log", "w") as out:
            proc = subprocess.Popen(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT, env=env)
            code = wait(proc, log, args.calls, start + args.timeout)
        wall_exit = time.time() - start
    rows = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    children = [r for r in rows if not r["seed"]]
    wall = max((r["t"] for r in children), default=start + wall_exit) - start
    limit = max(args.calls * args.latency / args.concurrency, args.calls * args.cost / 2)
    return {
        "system": system,
        "seed": seed,
        "calls": args.calls,
        "concurrency": args.concurrency,
        "latency": args.latency,
        "cost": args.cost,
        "answered": min(getattr(stub, "served", 0), args.calls),
        "peak_in_flight": stub.peak_in_flight,
        "children_evaluated": len(children),
        "wall": round(wall, 2),
        "wall_exit": round(wall_exit, 2),
        "limit": round(limit, 2),
        "ratio_to_limit": round(wall / limit, 3),
        "returncode": code,
        "work": str(work),
    }


def table(path: Path = RESULTS) -> h.Table:
    """The recorded rows of ``path``, median over seeds per system, beside the limit."""
    rows = h.read_rows(path)
    names = [
        "system",
        "seeds",
        "wall s (median)",
        "x limit",
        "vs evoforge async",
        "peak in flight",
        "children",
        "calls",
    ]
    t = h.Table([(n, "left" if n == "system" else "right") for n in names])
    groups = h.group(rows, key=lambda r: (r["system"], r["calls"], r["concurrency"], r["latency"], r["cost"]))
    for (system, calls, conc, latency, cost), cell in sorted(groups.items(), key=lambda kv: SYSTEMS.index(kv[0][0])):
        ref = groups.get(("evoforge-async", calls, conc, latency, cost))
        wall = statistics.median(r["wall"] for r in cell)
        vs = f"{wall / statistics.median(r['wall'] for r in ref):.2f}x" if ref else "-"
        t.add(
            system, len(cell), f"{wall:.1f}", f"{statistics.median(r['ratio_to_limit'] for r in cell):.2f}", vs,
            max(r["peak_in_flight"] for r in cell), statistics.median(r["children_evaluated"] for r in cell),
            statistics.median(r["answered"] for r in cell),
        )  # fmt: skip
    t.title = "limit = max(calls x latency / concurrency, calls x cost / 2 workers)" + (
        f" = {rows[-1]['limit']:g} s" if rows else ""
    )
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=64)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--latency", type=float, default=2.0)
    ap.add_argument("--cost", type=float, default=0.25)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--table", action="store_true", help="print the table of recorded rows and exit")
    args = ap.parse_args()
    if not args.table:
        for seed in range(args.seeds):
            for system in args.systems.split(","):
                row = h.append_row(RESULTS, run_cell(system, args, seed))
                print(json.dumps(row), flush=True)
    print(table())


if __name__ == "__main__":
    main()
