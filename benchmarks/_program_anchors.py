"""The files ``program_evolution.py`` writes for its anchors (OpenEvolve's evaluator; ShinkaEvolve's
evaluator and runner): each scores programs by calling that script's ``--evaluate``, the evaluator
every system shares. Templates for ``str.format``."""

OE_EVALUATOR = """
import json, subprocess
def evaluate(program_path):
    out = subprocess.run([{py!r}, {script!r}, "--evaluate", {task!r}, program_path, "--log", {log!r}],
                         capture_output=True, text=True, timeout=600)
    try:
        r = json.loads(out.stdout.strip().splitlines()[-1])
    except Exception:
        return {{"combined_score": -1000.0, "valid": 0.0, "error": (out.stderr or "no output")[-300:]}}
    if not r["ok"]:
        return {{"combined_score": -1000.0, "valid": 0.0, "error": r.get("error", "")}}
    return {{"combined_score": r["score"], "valid": 1.0}}
"""


SHINKA_EVALUATE = """
import argparse, json, os, subprocess
p = argparse.ArgumentParser()
p.add_argument("--program_path", required=True)
p.add_argument("--results_dir", required=True)
a = p.parse_args()
os.makedirs(a.results_dir, exist_ok=True)
out = subprocess.run([{py!r}, {script!r}, "--evaluate", {task!r}, a.program_path, "--log", {log!r}],
                     capture_output=True, text=True, timeout=600)
try:
    r = json.loads(out.stdout.strip().splitlines()[-1])
except Exception:
    r = {{"ok": False, "error": (out.stderr or "no output")[-300:]}}
metrics = {{"combined_score": r["score"] if r["ok"] else -1000.0, "public": {{}}, "private": {{}},
            "text_feedback": r.get("feedback") or r.get("error", "")}}
json.dump(metrics, open(os.path.join(a.results_dir, "metrics.json"), "w"))
json.dump({{"correct": bool(r["ok"]), "error": r.get("error")}}, open(os.path.join(a.results_dir, "correct.json"), "w"))
"""

SHINKA_RUN = """
import os
os.environ.setdefault("SHINKA_PRICING_MODE", "offline")
from shinka.core import EvolutionConfig, ShinkaEvolveRunner
from shinka.database import DatabaseConfig
from shinka.launch import LocalJobConfig
work = {work!r}
evo = EvolutionConfig(
    task_sys_msg="You are an expert Python programmer. Task: {desc}",
    patch_types=["diff", "full", "cross"], patch_type_probs=[0.6, 0.3, 0.1],
    num_generations={calls} + 1, max_patch_resamples=1, max_patch_attempts=1,  # generation 0 is the seed
    language="python", init_program_path=os.path.join(work, "initial.py"), results_dir=os.path.join(work, "out"),
    llm_models=["local/embedded:coder@{url}"], llm_dynamic_selection=None,
    llm_kwargs=dict(temperatures=[0.7], max_tokens={max_tokens}),
    meta_rec_interval=None, embedding_model=None, use_text_feedback=True,
)
db = DatabaseConfig(db_path="evolution_db.sqlite", num_islands=2, archive_size=40,
                    parent_selection_strategy="power_law")
job = LocalJobConfig(eval_program_path=os.path.join(work, "evaluate.py"), python_executable={py!r})
runner = ShinkaEvolveRunner(evo_config=evo, job_config=job, db_config=db, verbose=True, max_evaluation_jobs=1,
                            max_proposal_jobs=1)
# Shinka ends a run after 3 x 60 s without a new program; a local model at ~20 s a call that fails
# a few proposals in a row trips that, so the rule is off here and every system gets its full budget.
runner.stuck_detection_timeout = float("inf")
runner.run()
"""
