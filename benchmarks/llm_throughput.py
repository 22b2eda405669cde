"""Tokens per second through evoforge vs the raw engine, on the same prompts.

    python benchmarks/llm_throughput.py                    # embedded (SmolLM2), llama.cpp
    python benchmarks/llm_throughput.py --transformers     # + transformers fp32 (engine choice)
    python benchmarks/llm_throughput.py --model embedded:coder

"single": prompts sent one call at a time; "batched": all prompts in one evoforge call
(the raw engine, having no batch API in llama-cpp-python, loops over them). Greedy
decoding, so both sides generate the same tokens; the response cache is off. Each
figure is the median of --repeats runs, evoforge and raw interleaved. Target: ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

import _harness as h  # tables (this script's rows are its --json file)
from evoforge.llm import get_model
from evoforge.llm.embedded import default_threads

PROMPTS = [
    "Write a short story about a robot learning to paint.",
    "Explain how a hash table works.",
    "Describe the water cycle for a ten-year-old.",
    "List some tips for writing clean Python code and explain each.",
    "What are the differences between a list and a tuple in Python?",
    "Write a poem about the sea at night.",
    "Explain what a binary search is and when to use it.",
    "Describe a day in the life of a lighthouse keeper.",
]


def convs(prompts: list[str]) -> list[list[dict[str, str]]]:
    return [[{"role": "user", "content": p}] for p in prompts]


def timed(fn) -> tuple[int, float]:
    t0 = time.perf_counter()
    tokens = fn()
    return tokens, time.perf_counter() - t0


def bench_llama(spec: str, prompts: list[str], max_tokens: int, repeats: int, threads: int, n_ctx: int) -> list[dict]:
    import llama_cpp

    model = get_model(spec, n_ctx=n_ctx, n_threads=threads)
    raw = llama_cpp.Llama(
        model_path=str(model.path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False
    )
    kw = dict(max_tokens=max_tokens, temperature=0.0, seed=0)

    def raw_one(msgs) -> int:
        return raw.create_chat_completion(messages=msgs, **kw)["usage"]["completion_tokens"]

    def evo_single() -> int:
        return sum(model.chat(m, **kw)[0].completion_tokens for m in convs(prompts))

    def evo_batch() -> int:
        return sum(c.completion_tokens for c in model.chat(convs(prompts), **kw))

    def raw_loop() -> int:
        return sum(raw_one(m) for m in convs(prompts))

    raw_one(convs(prompts[:1])[0])  # warm-up both
    model.chat(convs(prompts[:1])[0], **kw)
    rows = []
    for mode, evo_fn in (("single", evo_single), ("batched", evo_batch)):
        r_rates, e_rates = [], []
        for _ in range(repeats):
            t, s = timed(raw_loop)
            r_rates.append(t / s)
            t, s = timed(evo_fn)
            e_rates.append(t / s)
        rows.append(
            report(
                {
                    "engine": f"llama.cpp ({spec})",
                    "mode": mode,
                    "raw_tok_s": statistics.median(r_rates),
                    "evoforge_tok_s": statistics.median(e_rates),
                }
            )
        )
    return rows


def report(row: dict) -> dict:
    """Add the ratio and print the row at once (progress on stderr)."""
    row["ratio"] = row["evoforge_tok_s"] / row["raw_tok_s"]
    print(
        f"  measured {row['engine']} {row['mode']}: raw {row['raw_tok_s']:.1f} tok/s, "
        f"evoforge {row['evoforge_tok_s']:.1f} tok/s",
        file=sys.stderr,
        flush=True,
    )
    return row


def bench_transformers(
    prompts: list[str], max_tokens: int, repeats: int, threads: int, hf_dir: str | None
) -> list[dict]:
    import torch

    from evoforge.llm.hf import gguf_to_hf
    from evoforge.llm.model_files import smollm2_path

    torch.set_num_threads(threads)
    tmp = None
    if hf_dir is None:
        tmp = tempfile.TemporaryDirectory()
        print("converting SmolLM2 GGUF to a float32 transformers directory ...", file=sys.stderr)
        hf_dir = str(gguf_to_hf(smollm2_path(), Path(tmp.name) / "smollm2"))
    model = get_model(f"hf:{hf_dir}")
    hf, tok = model.model, model.tokenizer
    kw = dict(max_tokens=max_tokens, temperature=0.0, seed=0)

    def raw_loop() -> int:
        n = 0
        with torch.inference_mode():
            for m in convs(prompts):
                ids = tok.apply_chat_template(m, add_generation_prompt=True, return_tensors="pt", return_dict=True)[
                    "input_ids"
                ]
                out = hf.generate(
                    ids,
                    attention_mask=torch.ones_like(ids),
                    max_new_tokens=max_tokens,
                    do_sample=False,
                    pad_token_id=tok.eos_token_id,
                )
                n += out.shape[1] - ids.shape[1]
        return n

    def evo_single() -> int:
        return sum(model.chat(m, **kw)[0].completion_tokens for m in convs(prompts))

    model.chat(convs(prompts[:1])[0], **{**kw, "max_tokens": 4})  # warm-up
    r_rates, e_rates = [], []
    for _ in range(repeats):
        t, s = timed(raw_loop)
        r_rates.append(t / s)
        t, s = timed(evo_single)
        e_rates.append(t / s)
    if tmp is not None:
        tmp.cleanup()
    return [
        report(
            {
                "engine": "transformers fp32 (embedded)",
                "mode": "single",
                "raw_tok_s": statistics.median(r_rates),
                "evoforge_tok_s": statistics.median(e_rates),
            }
        )
    ]


def table(rows: list[dict], title: str) -> h.Table:
    """Raw and evoforge tokens per second, and their ratio, per (engine, mode)."""
    t = h.Table(
        [("engine", "left"), ("mode", "left"), ("raw tok/s", "right"), ("evoforge tok/s", "right"), ("ratio", "right")],
        title=title,
    )
    for r in rows:
        t.add(r["engine"], r["mode"], f"{r['raw_tok_s']:.1f}", f"{r['evoforge_tok_s']:.1f}", f"{r['ratio']:.2f}")
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="embedded", help="embedded or embedded:coder")
    ap.add_argument("--prompts", type=int, default=8, help=f"number of prompts (max {len(PROMPTS)})")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--transformers", action="store_true", help="also measure transformers fp32 (SmolLM2)")
    ap.add_argument("--tf-repeats", type=int, default=1, help="repeats for transformers (slow)")
    ap.add_argument("--hf-dir", default=None, help="existing transformers copy of SmolLM2 (skips conversion)")
    ap.add_argument("--json", default=None, help="also write the rows to this JSON file")
    a = ap.parse_args()
    prompts = PROMPTS[: max(1, min(a.prompts, len(PROMPTS)))]

    rows = bench_llama(a.model, prompts, a.max_tokens, a.repeats, a.threads, a.n_ctx)
    if a.transformers:
        rows += bench_transformers(prompts, a.max_tokens, a.tf_repeats, a.threads, a.hf_dir)

    print()
    print(
        table(
            rows,
            f"{len(prompts)} prompts x {a.max_tokens} max tokens, greedy, {a.threads} threads, median of {a.repeats}",
        )
    )
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
