"""ADAS's reference implementation (ShengranHu/ADAS, Meta Agent Search, its ``_mgsm`` math domain) run on
evoforge's ``agent-arith`` task against evoforge's own model server, at the same number of model calls as
``benchmarks/agents.py --system adas``; one seed per invocation, one row appended to
benchmarks/results/agents_reference.jsonl::

    python benchmarks/adas_reference.py --seed 0 --calls 300
    python benchmarks/adas_reference.py --table     # next to evoforge's adas rows of agents.jsonl

Setup (once; nothing goes into evoforge's environment, and no ADAS code into this repository)::

    git clone https://github.com/ShengranHu/ADAS /tmp/adas-git       # or any copy of the repository
    python benchmarks/adas_reference.py --extract-from /tmp/adas-git/.git   # -> /tmp/adas-ref (+ COMMIT)
    python -m venv /tmp/adasenv && /tmp/adasenv/bin/pip install openai backoff numpy tqdm pandas scipy

How: the model (``--model``, default ``embedded``, 2 threads, ``--n-ctx`` tokens of context) is served
with ``evoforge.llm.start_server_in_thread``; a counting proxy (``_openai_meter.py``) stands in front of
it, renames the GPT model names the reference asks for to the served model, and refuses every call past
``--calls``, at which point the search is stopped. The reference runs in its own venv (``--python``),
driven by ``_adas_ref_runner.py`` with OPENAI_BASE_URL/OPENAI_API_KEY pointing at the proxy: its
``search()`` on the search items (its validation set, all of them), then its best agent by the median
of its bootstrap fitness scored on the held-out items (its test set; outside the budget, as in
agents.py). The row holds the held-out accuracy by evoforge's scorer (``heldout``, the one agents.py
uses) and by the reference's exact-match scorer, the search's wall time and calls, and how many
generated agents ran and why the others failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _harness as h  # result rows
from _openai_meter import MeteredProxy

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "agents_reference.jsonl"
AGENTS = HERE / "results" / "agents.jsonl"  # evoforge's rows (benchmarks/agents.py)
RUNNER = HERE / "_adas_ref_runner.py"
LANGUAGES = ("bn", "de", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh")  # one file each is read
NEEDED = ("_mgsm", "LICENSE", "README.md", "requirements.txt")
GET_IT = (
    "get it with: python benchmarks/adas_reference.py --extract-from <ADAS git dir> "
    "(a clone of https://github.com/ShengranHu/ADAS)"
)


class SetupError(Exception):
    """A missing piece of the setup (exit 2 with its one-line message)."""


def extract(git_dir: Path, dest: Path) -> str:
    """Export the files the reference's math domain needs from a git repository; returns the commit."""
    commit = subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"], capture_output=True, text=True)
    if commit.returncode:
        raise SetupError(f"{git_dir} is not a git directory: {commit.stderr.strip()[:160]}")
    dest.mkdir(parents=True, exist_ok=True)
    tar = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "HEAD", "--", *NEEDED], capture_output=True)
    if tar.returncode:
        raise SetupError(f"git archive failed: {tar.stderr.decode(errors='replace').strip()[:160]}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar.stdout, check=True)
    (dest / "COMMIT").write_text(commit.stdout.strip() + "\n")
    return commit.stdout.strip()


def check_setup(adas_dir: Path, python: Path) -> str:
    """The reference's commit (or 'unknown'); raises SetupError when the checkout or venv is missing."""
    if not (adas_dir / "_mgsm" / "search.py").is_file():
        raise SetupError(f"no ADAS checkout at {adas_dir} (_mgsm/search.py missing); {GET_IT}")
    probe = [str(python), "-c", "import openai, backoff, numpy, tqdm"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=120).returncode == 0
    except OSError:
        ok = False
    if not ok:
        raise SetupError(
            f"{python} cannot import openai, backoff, numpy, tqdm; make it with: python -m venv /tmp/adasenv && "
            "/tmp/adasenv/bin/pip install openai backoff numpy tqdm pandas scipy"
        )
    commit = adas_dir / "COMMIT"
    return commit.read_text().strip() if commit.is_file() else "unknown"


def write_items(work: Path, items: list[dict]) -> None:
    """The items in the reference's MGSM format: 'question<TAB>answer' lines in mgsm_en.tsv (the other
    languages' files are empty, so only these are read)."""
    folder = work / "dataset" / "mgsm"
    folder.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        lines = [f"{' '.join(it['question'].split())}\t{it['answer']}" for it in items] if lang == "en" else []
        (folder / f"mgsm_{lang}.tsv").write_text("".join(line + "\n" for line in lines))


def run_phase(args: argparse.Namespace, work: Path, proxy: MeteredProxy, phase: list[str]) -> tuple[float, str]:
    """Run the runner in ``work``; stop it when the proxy refuses a call. (seconds, how it ended)."""
    env = {**os.environ, "OPENAI_BASE_URL": proxy.url, "OPENAI_API_KEY": "sk-local-evoforge"}
    env.pop("PYTHONPATH", None)  # the reference's venv, nothing of evoforge's
    cmd = [
        str(args.python),
        str(RUNNER),
        *phase,
        "--adas-dir",
        str(args.adas_dir.resolve()),
        "--events",
        "events.jsonl",
    ]
    with (work / "reference.log").open("a") as log:
        log.write(f"===== {' '.join(phase)} =====\n")
    start = time.perf_counter()
    with (work / "reference.log").open("a") as log:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ended = "finished"
    while proc.poll() is None:
        if proxy.meter.exhausted.wait(0.5):
            ended = "budget"
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        elif args.timeout and time.perf_counter() - start > args.timeout:
            ended = "timeout"
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seconds = time.perf_counter() - start
    if ended == "finished" and proc.returncode:
        ended = f"exit {proc.returncode}"
    return seconds, ended


def calls_summary(replies: list[dict]) -> dict:
    """Mean seconds and reply tokens of the search's answered calls, and the share cut at max_tokens."""
    done = [r for r in replies if r["status"] == 200]
    if not done:
        return {"call_seconds_mean": None, "reply_tokens_mean": None, "replies_cut_at_max_tokens": None}
    return {
        "call_seconds_mean": round(sum(r["seconds"] for r in done) / len(done), 2),
        "reply_tokens_mean": round(sum(r["tokens"] for r in done) / len(done), 1),
        "replies_cut_at_max_tokens": round(sum(r["finish"] == "length" for r in done) / len(done), 3),
    }


def llama_json_mode(model):
    """Requests asking for JSON answered by the served embedded model's own llama.cpp context with its JSON
    grammar (``response_format`` ``json_object``), under the model's lock: the same weights as the server."""

    def answer(body: dict) -> dict:
        kw = {k: body[k] for k in ("temperature", "top_p", "max_tokens", "stop", "seed") if body.get(k) is not None}
        kw.setdefault("seed", random.getrandbits(31))  # as the server does for a request without a seed
        with model.lock:
            return model.llama.create_chat_completion(
                messages=body["messages"], response_format={"type": "json_object"}, **kw
            )

    return answer


def summarise(events: list[dict]) -> dict:
    """Counts of meta-agent replies, agents generated and run, and the reasons of failures."""
    meta = [e for e in events if e["kind"] == "meta"]
    agent_calls = [e for e in events if e["kind"] == "agent_call" and e.get("searching", True)]  # of the search
    generated = [e for e in events if e["kind"] == "evaluate" and e["origin"] == "generated" and e["searching"]]
    initial = [e for e in events if e["kind"] == "evaluate" and e["origin"] == "initial" and e["searching"]]
    unusable = Counter(e["error"][:90] for e in meta if not e["ok"])
    unusable.update("JSON without a 'code' string" for e in meta if e["ok"] and not e["has_code"])
    failed = Counter(e["error"][:90] for e in generated if not e["ok"])
    return {
        "meta_calls": len(meta),
        "unusable_answers": dict(unusable.most_common(4)),
        "generated": len(generated),
        "generated_ran": sum(e["ok"] for e in generated),
        "generated_all_wrong": sum(e["ok"] and e["accuracy"] < 0.01 for e in generated),
        "failure_reasons": dict(failed.most_common(4)),
        "initial_scored": sum(e["ok"] for e in initial),
        "agent_calls_logged": len(agent_calls),
        "agent_replies_not_json": sum(not e["ok"] for e in agent_calls),
        "agent_reply_errors": dict(Counter(e["error"][:90] for e in agent_calls if not e["ok"]).most_common(3)),
    }


def heldout_scores(events: list[dict], items: list[dict], score) -> dict:
    """Held-out accuracy of the best agent by evoforge's scorer and by the reference's own."""
    best = next((e for e in events if e["kind"] == "best"), {})
    done = next((e for e in events if e["kind"] == "heldout"), None)
    out = {"best": best.get("name"), "search_fitness": best.get("fitness"), "best_generation": best.get("generation")}
    if done is None or not done["ok"]:
        why = best.get("error") or (done or {}).get("error") or "held-out scoring did not finish"
        return {**out, "heldout": None if best.get("name") is None else 0.0, "heldout_error": why}
    order = next(e for e in events if e["kind"] == "heldout_order")["inputs"]
    by_question = {" ".join(it["question"].split()): it for it in items}
    answers = [e for e in events if e["kind"] == "answer"]
    ours = []
    for inputs, ans in zip(order, answers):
        item = next(it for q, it in by_question.items() if inputs.endswith(q))
        ours.append(score(item, "" if ans["prediction"] is None else str(ans["prediction"])))
    return {
        **out,
        "heldout": round(sum(ours) / len(items), 4),
        "heldout_reference_scorer": round(done["accuracy"], 4),
        "heldout_error": None,
    }


def cell(args: argparse.Namespace, commit: str) -> dict:
    from evoforge.core.task import load_task
    from evoforge.llm import get_model, start_server_in_thread

    task = load_task(args.task, {"seed": args.seed, "search": args.search, "heldout": args.heldout})
    search_items, heldout_items = list(task.value.search), list(task.value.heldout)
    opts = {"n_threads": args.threads, "n_ctx": args.n_ctx} if args.model.startswith("embedded") else {}
    model = get_model(args.model, **opts)  # no response cache: every call is a real call
    work = Path(tempfile.mkdtemp(prefix="adas-ref-", dir=args.workdir))
    with start_server_in_thread(model) as server:
        json_mode = llama_json_mode(model) if args.json_mode else None
        proxy = MeteredProxy(server.url, model.spec, args.calls, max_tokens=args.max_tokens, json_mode=json_mode)
        try:
            write_items(work, search_items)
            phase = ["search", "--valid", str(len(search_items)), "--workers", str(args.workers)]
            seconds, ended = run_phase(args, work, proxy, [*phase, "--debug-max", str(args.debug_max)])
            search_calls, refused = proxy.meter.forwarded, proxy.meter.refused
            search_errors = {str(k): v for k, v in proxy.meter.statuses.items() if k != 200}
            replies = calls_summary(proxy.meter.replies)
            proxy.meter.reset(None)  # held-out scoring is outside the budget, as in agents.py
            write_items(work, heldout_items)
            run_phase(args, work, proxy, ["heldout", "--test", str(len(heldout_items)), "--workers", str(args.workers)])
            heldout_calls = proxy.meter.forwarded
        finally:
            proxy.close()
    log = work / "events.jsonl"
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.is_file() else []
    row = {
        "system": "adas-reference", "task": args.task, "seed": args.seed, "model": args.model, "calls": args.calls,
        "search_calls": search_calls, "search_seconds": round(seconds, 1), "stop_reason": ended,
        "refused_calls": refused, "search_http_errors": search_errors, **replies, "heldout_calls": heldout_calls,
        "search_items": len(search_items), "heldout_items": len(heldout_items), "n_ctx": args.n_ctx,
        "workers": args.workers, "max_tokens_cap": args.max_tokens, "json_mode": args.json_mode,
        "reference_commit": commit,
        **heldout_scores(events, heldout_items, task.value.score), **summarise(events),
    }  # fmt: skip
    if args.keep:
        row["workdir"] = str(work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return row


def table(reference: Path = RESULTS, ours: Path = AGENTS) -> h.Table:
    """evoforge's ``adas`` rows next to the reference's, per (task, calls, model): seeds, mean held-out
    score, mean search seconds, generated agents that ran."""
    rows = [r for r in h.read_rows(ours) if r.get("system") == "adas"] + h.read_rows(reference)
    out = h.Table(
        columns=[("task", "left"), ("calls", "right"), ("model", "left"), ("system", "left"), ("seeds", "right"),
                 ("held-out", "right"), ("search s", "right"), ("ran", "right")],
        title="adas (evoforge) and adas-reference at the same number of model calls",
    )  # fmt: skip
    for (task, calls, model, system), rs in sorted(
        h.group(rows, lambda r: (r["task"], r["calls"], r["model"], r["system"])).items()
    ):
        held, secs = h.summarise(r.get("heldout") for r in rs), h.summarise(r.get("search_seconds") for r in rs)
        gen = sum(r.get("generated", 0) for r in rs)
        ran = f"{sum(r.get('generated_ran', 0) for r in rs)}/{gen}"
        out.add(
            task, calls, model, system, len(rs), h.fmt(held and held.mean, ".3f"), h.fmt(secs and secs.mean, ".0f"), ran
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--adas-dir", type=Path, default=Path("/tmp/adas-ref"), help="exported ADAS repository")
    ap.add_argument("--extract-from", type=Path, metavar="GIT_DIR", help="export ADAS from this git dir and exit")
    ap.add_argument("--python", type=Path, default=Path("/tmp/adasenv/bin/python"), help="the reference's venv")
    ap.add_argument("--task", choices=("agent-arith",), default="agent-arith")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calls", type=int, default=300, help="model calls of the search (meta agent + agents)")
    ap.add_argument("--search", type=int, default=30, help="search items (the reference's validation set)")
    ap.add_argument("--heldout", type=int, default=30, help="held-out items (the reference's test set)")
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--n-ctx", type=int, default=4096, help="context window of the served embedded model")
    ap.add_argument("--threads", type=int, default=2, help="llama.cpp threads of the served embedded model")
    ap.add_argument(
        "--max-tokens", type=int, default=None, help="cap on every reply (default: none, the reference asks 4096)"
    )
    ap.add_argument(
        "--json-mode", action="store_true", help="answer its JSON-mode requests with llama.cpp's JSON grammar"
    )
    ap.add_argument("--workers", type=int, default=2, help="the reference's --max_workers (concurrent items)")
    ap.add_argument("--debug-max", type=int, default=3, help="the reference's --debug_max (its default)")
    ap.add_argument("--timeout", type=float, default=0, help="seconds before the search is killed (0: none)")
    ap.add_argument("--workdir", type=Path, default=None, help="where the run's working folder is made")
    ap.add_argument("--keep", action="store_true", help="keep the working folder (archive, events, log)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--table", action="store_true", help="only print the comparison table")
    args = ap.parse_args(argv)
    if min(args.calls, args.search, args.heldout, args.workers, args.max_tokens or 1) < 1:
        ap.error("--calls, --search, --heldout, --workers and --max-tokens must be at least 1")
    if args.json_mode and not args.model.startswith("embedded"):
        ap.error("--json-mode needs an embedded model")
    if args.table:
        print(table(args.out))
        return 0
    from evoforge.core.errors import TaskError
    from evoforge.llm import ModelError

    try:
        if args.extract_from:
            print(f"ADAS {extract(args.extract_from, args.adas_dir)} exported to {args.adas_dir}")
            return 0
        commit = check_setup(args.adas_dir, args.python)
        row = h.append_row(args.out, cell(args, commit))
    except (SetupError, ModelError, TaskError) as err:
        print(f"adas_reference: {err}", file=sys.stderr)
        return 2
    print(json.dumps(row, indent=1))
    print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
