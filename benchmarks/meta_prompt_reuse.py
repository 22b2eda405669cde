"""What keeping earlier prompts' caches saves a meta agent that shares its model with the agents.

    python benchmarks/meta_prompt_reuse.py --model embedded:coder --agent-calls 6 --repeats 1

The sequence of an ``adas`` search on one model: a meta prompt (agent-arith's description, the
runtime's API, the seven hand-designed agents as the archive), ``--agent-calls`` agent calls (the
chain-of-thought prompt on agent-arith items), then the next meta prompt (the same archive with one
more agent found). Measured: the second meta call's prompt tokens evaluated by llama.cpp and its wall
seconds (8 new tokens), with the saved prompt caches (``EVOFORGE_LLM_PREFIX_SLOTS``, default 4) and
without (0), each in a context of its own; greedy, response cache off, median of ``--repeats``, the
two arms interleaved. The answers must be the same text in both arms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def prompts(agent_calls: int) -> tuple[str, list[str], str]:
    from evoforge.genomes.agents.baselines import baselines
    from evoforge.genomes.agents.templates import meta_prompt
    from evoforge.tasks.agents.agent_arith import AgentArith, problem

    task = AgentArith()
    archive = [(g, 0.1 + 0.05 * i) for i, g in enumerate(baselines())]
    first = meta_prompt(task.description, archive, task.call_limit)
    new = {"name": "Program of thought", "parts": {}, "code": "def forward(task, tools):\n    return 'x'\n"}
    second = meta_prompt(task.description, [*archive, (new, 0.3)], task.call_limit)
    rng = random.Random(1)
    agents = [f"{problem(rng)['question']}\n{task.answer_format}\nThink step by step." for _ in range(agent_calls)]
    return first, agents, second


def arm(spec: str, slots: int, n_ctx: int, threads: int, seq: tuple[str, list[str], str]) -> tuple[int, float, str]:
    import llama_cpp

    from evoforge.llm import get_model

    os.environ["EVOFORGE_LLM_PREFIX_SLOTS"] = str(slots)
    model = get_model(spec, n_ctx=n_ctx, n_threads=threads)
    first, agents, second = seq
    kw = dict(max_tokens=8, temperature=0.0)
    model.complete(first, **kw)
    for a in agents:
        model.chat([{"role": "user", "content": a}], **kw)
    ctx = model.llama._ctx.ctx
    llama_cpp.llama_perf_context_reset(ctx)
    t0 = time.perf_counter()
    text = model.complete(second, **kw)[0].text
    seconds = time.perf_counter() - t0
    return llama_cpp.llama_perf_context(ctx).n_p_eval, seconds, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="embedded:coder")
    ap.add_argument("--agent-calls", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    seq = prompts(a.agent_calls)
    results: dict[int, list[tuple[int, float, str]]] = {4: [], 0: []}
    for r in range(a.repeats):
        for slots in (4, 0):  # a context per (arm, repeat): nothing carries over between them
            results[slots].append(arm(a.model, slots, 6144 + 256 * (2 * r + (slots == 0)), a.threads, seq))
    same = {x[2] for rs in results.values() for x in rs}
    print(f"{a.model}, {a.threads} thread(s), {a.agent_calls} agent calls between two meta prompts")
    for slots, rs in results.items():
        n = statistics.median(x[0] for x in rs)
        s = statistics.median(x[1] for x in rs)
        print(f"  saved prompt caches {slots}: second meta call evaluated {n:.0f} prompt tokens in {s:.1f} s")
    print(f"  same answer in every run: {len(same) == 1}")


if __name__ == "__main__":
    main()
