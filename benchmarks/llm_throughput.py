"""Tokens per second of every embedded model, through evoforge and through raw llama.cpp, side by side.

    python benchmarks/llm_throughput.py                          # every installed embedded model, 1 and 2 threads
    python benchmarks/llm_throughput.py --models embedded:coder --threads 1 --repeats 3
    python benchmarks/llm_throughput.py --transformers           # + SmolLM2 in transformers fp32 (engine choice)

Three kinds of answer, two prompts each: ``diff`` (binpack's program-evolution diff prompt, a long
prompt), ``cot`` (an agent-arith word problem, worked step by step) and ``free`` (free text). Arms, all
greedy, response cache off:

* ``raw``: ``llama_cpp.Llama`` with its defaults (512-token prompt batches, reuse of the longest
  common prompt prefix);
* ``evoforge``: ``get_model(spec)`` as shipped (prompt prefixes reused in aligned 64-token blocks, so
  a seeded answer never depends on the request before it);
* ``evoforge exact``: ``prefix_reuse="exact"``, the same settings as ``raw``;
* ``raw lookup``: llama-cpp-python's prompt-lookup drafting (10 tokens);
* ``raw draft``: for the 1.5B coder, the 0.5B coder (same tokenizer) drafts 4 tokens a step;
* ``raw batched``: the six prompts decoded together, one sequence each, in one llama.cpp batch per
  step (row kind ``all``, beside ``raw`` over the same six prompts).

Columns: prompt tok/s from llama.cpp's own counters (plain arms only), generated tokens per wall
second (prompt included), the ratio to ``raw`` in the same rows, and how many answers are token for
token the same as ``raw``'s. Each figure is the median of ``--repeats`` rounds, arms interleaved.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

import _harness as h
import _llama_raw as raw
from evoforge.llm import get_model
from evoforge.llm.embedded import embedded_specs

FREE = ["Write a short story about a robot learning to paint.", "Explain how a hash table works."]
Messages = list[dict[str, str]]


def diff_prompts() -> list[Messages]:
    """binpack's diff prompt, as the program recipes build it, with two different ideas."""
    import numpy as np

    from evoforge.core.candidate import Candidate
    from evoforge.core.task import load_task
    from evoforge.genomes.programs.templates import SYSTEM, ProgramPrompts, ProgramSpec

    prompts = ProgramPrompts()
    prompts.spec, prompts.idea_order = ProgramSpec.from_task(load_task("binpack")), []
    parent = Candidate(genome=prompts.spec.seed, score=-4.9577)
    rng = np.random.default_rng(0)
    return [
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompts.diff_prompt(parent, rng)}]
        for _ in range(2)
    ]


def cot_prompts() -> list[Messages]:
    """Two agent-arith word problems, worked step by step."""
    import random

    from evoforge.tasks.agents.agent_arith import problem

    rng = random.Random(7)
    return [
        [
            {
                "role": "user",
                "content": f"{problem(rng)['question']}\nThink step by step, then end with a line 'Answer: <number>'.",
            }
        ]
        for _ in range(2)
    ]


def kinds() -> dict[str, list[Messages]]:
    return {"diff": diff_prompts(), "cot": cot_prompts(), "free": [[{"role": "user", "content": p}] for p in FREE]}


def perf(llm: Any) -> tuple[int, float]:
    """(prompt tokens, prompt seconds) counted by llama.cpp since its last reset; resets it."""
    import llama_cpp

    data = llama_cpp.llama_perf_context(llm._ctx.ctx)
    llama_cpp.llama_perf_context_reset(llm._ctx.ctx)
    return data.n_p_eval, data.t_p_eval_ms / 1000


Answer = tuple[list[str], int]  # texts, completion tokens


def arms(
    spec: str, threads: int, n_ctx: int, max_tokens: int
) -> dict[str, tuple[Callable[[list[Messages]], Answer], Any]]:
    """Each arm: a function answering a list of conversations, and the llama whose counters it moves."""
    kw = dict(max_tokens=max_tokens, temperature=0.0, seed=0)
    evo = get_model(spec, n_ctx=n_ctx, n_threads=threads)
    exact = get_model(spec, n_ctx=n_ctx, n_threads=threads, prefix_reuse="exact")
    path = str(evo.path)

    def llama_arm(llm: Any) -> Callable[[list[Messages]], Answer]:
        def run(convs: list[Messages]) -> Answer:
            rs = [llm.create_chat_completion(messages=m, **kw) for m in convs]
            return [r["choices"][0]["message"]["content"] or "" for r in rs], sum(
                r["usage"]["completion_tokens"] for r in rs
            )

        return run

    def model_arm(model: Any) -> Callable[[list[Messages]], Answer]:
        def run(convs: list[Messages]) -> Answer:
            out = [model.chat(m, **kw)[0] for m in convs]
            return [c.text for c in out], sum(c.completion_tokens for c in out)

        return run

    plain = raw.load(path, threads, n_ctx)
    out = {
        "raw": (llama_arm(plain), plain),
        "evoforge": (model_arm(evo), evo.llama),
        "evoforge exact": (model_arm(exact), exact.llama),
    }
    lookup = raw.load(path, threads, n_ctx, draft=raw.prompt_lookup())
    out["raw lookup"] = (llama_arm(lookup), None)
    if spec == "embedded:coder-1.5b":
        small = raw.load(str(get_model("embedded:coder", n_ctx=n_ctx, n_threads=threads).path), threads, n_ctx)
        drafted = raw.load(path, threads, n_ctx, draft=raw.ModelDraft(small))
        out["raw draft"] = (llama_arm(drafted), None)

    def batched(convs: list[Messages]) -> Answer:
        toks = raw.batched_greedy(plain, [raw.chat_tokens(plain, m) for m in convs], max_tokens, threads)
        return [plain.detokenize(t).decode("utf-8", "replace") for t in toks], sum(map(len, toks))

    out["raw batched"] = (batched, None)
    return out


def bench(spec: str, threads: int, repeats: int, max_tokens: int, n_ctx: int) -> list[dict]:
    prompts = kinds()
    every = [m for convs in prompts.values() for m in convs]
    cells = [(k, a) for k in prompts for a in arms_order(spec) if a != "raw batched"] + [
        ("all", "raw"),
        ("all", "raw batched"),
    ]
    runners = arms(spec, threads, n_ctx, max_tokens)
    for fn, _ in runners.values():  # warm-up: load pages, first allocations
        fn(prompts["free"][:1])
    rates: dict[tuple[str, str], list[float]] = {c: [] for c in cells}
    prompt_rates: dict[tuple[str, str], list[float]] = {c: [] for c in cells}
    texts: dict[tuple[str, str], list[str]] = {}
    for _ in range(repeats):
        for kind, arm in cells:
            fn, llm = runners[arm]
            convs = every if kind == "all" else prompts[kind]
            if llm is not None:
                perf(llm)
            t0 = time.perf_counter()
            got, n = fn(convs)
            rates[(kind, arm)].append(n / (time.perf_counter() - t0))
            if llm is not None:
                n_p, s_p = perf(llm)
                if n_p and s_p:
                    prompt_rates[(kind, arm)].append(n_p / s_p)
            texts[(kind, arm)] = got
    rows = []
    for kind, arm in cells:
        base = statistics.median(rates[(kind, "raw")])
        gen = statistics.median(rates[(kind, arm)])
        same = sum(a == b for a, b in zip(texts[(kind, arm)], texts[(kind, "raw")]))
        p = prompt_rates[(kind, arm)]
        row = {
            "model": spec,
            "threads": threads,
            "kind": kind,
            "arm": arm,
            "prompt_tok_s": statistics.median(p) if p else None,
            "gen_tok_s": gen,
            "ratio": gen / base,
            "same": f"{same}/{len(texts[(kind, arm)])}",
        }
        print(
            f"  {spec} {threads}t {kind:4} {arm:15} {gen:6.1f} tok/s  x{gen / base:.2f}  same {row['same']}",
            file=sys.stderr,
            flush=True,
        )
        rows.append(row)
    return rows


def arms_order(spec: str) -> list[str]:
    extra = ["raw draft"] if spec == "embedded:coder-1.5b" else []
    return ["raw", "evoforge", "evoforge exact", "raw lookup", *extra, "raw batched"]


def bench_transformers(threads: int, repeats: int, max_tokens: int, hf_dir: str | None = None) -> list[dict]:
    """SmolLM2 in llama.cpp (evoforge) vs transformers fp32 on the same weights: the engine choice."""
    import torch

    from evoforge.llm.hf import gguf_to_hf
    from evoforge.llm.model_files import smollm2_path

    torch.set_num_threads(threads)
    convs = [[{"role": "user", "content": p}] for p in FREE]
    kw = dict(max_tokens=max_tokens, temperature=0.0, seed=0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        models = {
            "llama.cpp": get_model("embedded", n_threads=threads),
            "transformers fp32": get_model(f"hf:{gguf_to_hf(smollm2_path(), Path(tmp) / 'smollm2')}"),
        }
        for name, model in models.items():
            model.chat(convs[0], **{**kw, "max_tokens": 4})
            rates = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                n = sum(model.chat(m, **kw)[0].completion_tokens for m in convs)
                rates.append(n / (time.perf_counter() - t0))
            rows.append(
                {
                    "model": "embedded",
                    "threads": threads,
                    "kind": "free",
                    "arm": f"evoforge {name}",
                    "prompt_tok_s": None,
                    "gen_tok_s": statistics.median(rates),
                    "ratio": None,
                    "same": "",
                }
            )
    return rows


def table(rows: list[dict], title: str) -> h.Table:
    t = h.Table(
        [
            ("model", "left"),
            ("threads", "right"),
            ("kind", "left"),
            ("arm", "left"),
            ("prompt tok/s", "right"),
            ("gen tok/s", "right"),
            ("ratio to raw", "right"),
            ("same text", "right"),
        ],
        title=title,
    )
    for r in rows:
        p = f"{r['prompt_tok_s']:.0f}" if r["prompt_tok_s"] else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        t.add(r["model"], r["threads"], r["kind"], r["arm"], p, f"{r['gen_tok_s']:.1f}", ratio, r["same"])
    return t


def installed(spec: str) -> bool:
    from evoforge.llm.errors import ModelError

    try:
        get_model(spec, n_ctx=256, n_threads=1)
    except ModelError as e:
        print(f"skipping {spec}: {e}", file=sys.stderr)
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(embedded_specs()), help="comma-separated embedded specs")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--transformers", action="store_true", help="also SmolLM2 in transformers fp32")
    ap.add_argument("--hf-dir", default=None, help="existing transformers copy of SmolLM2 (skips conversion)")
    ap.add_argument("--json", default=None, help="also write the rows to this JSON file")
    a = ap.parse_args()
    rows: list[dict] = []
    for spec in [s for s in a.models.split(",") if installed(s)]:
        for threads in map(int, a.threads.split(",")):
            rows += bench(spec, threads, a.repeats, a.max_tokens, a.n_ctx)
    if a.transformers:
        rows += bench_transformers(int(a.threads.split(",")[0]), a.repeats, a.max_tokens, a.hf_dir)
    print()
    print(table(rows, f"2 prompts per kind x {a.max_tokens} max new tokens, greedy, median of {a.repeats} rounds"))
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
