"""Raw llama.cpp comparators for ``llm_throughput.py``: plain decoding, drafting (prompt lookup, or a
smaller model with the same tokenizer) and multi-sequence batched decoding, all through
llama-cpp-python without evoforge, greedy.

Batched decoding has no high-level API in llama-cpp-python, so :func:`batched_greedy` drives the
low-level one: one context with a sequence per prompt, each prompt evaluated in its own sequence, then
one ``llama_decode`` per step holding the next token of every unfinished sequence.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def chat_tokens(llm: Any, messages: list[dict[str, str]]) -> list[int]:
    """The prompt tokens ``create_chat_completion`` would evaluate (the model's own chat template)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata["tokenizer.chat_template"]
    eos = llm._model.token_get_text(llm.token_eos())
    bos = llm._model.token_get_text(llm.token_bos()) if llm.token_bos() >= 0 else ""
    fmt = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(messages=messages)
    return llm.tokenize(fmt.prompt.encode("utf-8"), add_bos=not fmt.added_special, special=True)


class ModelDraft:
    """A draft model for llama-cpp-python's speculative decoding: ``k`` greedy tokens of a smaller model
    with the same tokenizer (its own context keeps the common prefix between calls)."""

    def __init__(self, llm: Any, k: int = 4) -> None:
        self.llm, self.k = llm, k

    def __call__(self, input_ids: np.ndarray, /, **_: Any) -> np.ndarray:
        out: list[int] = []
        for tok in self.llm.generate(list(map(int, input_ids)), temp=0.0, top_k=1):
            out.append(int(tok))
            if len(out) >= self.k:
                break
        return np.array(out, dtype=np.intc)


def load(path: str, threads: int, n_ctx: int, draft: Any = None) -> Any:
    """A raw ``llama_cpp.Llama`` with llama-cpp-python's defaults (prefix reuse, 512-token batches)."""
    import llama_cpp

    return llama_cpp.Llama(
        model_path=path,
        n_ctx=n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        draft_model=draft,
        verbose=False,
    )


def prompt_lookup(num_pred_tokens: int = 10) -> Any:
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    return LlamaPromptLookupDecoding(num_pred_tokens=num_pred_tokens)


def batched_greedy(llm: Any, prompts: list[list[int]], max_tokens: int, threads: int) -> list[list[int]]:
    """Greedy completions of ``prompts`` decoded together, one sequence each (a fresh context)."""
    import llama_cpp
    from llama_cpp import _internals

    n = len(prompts)
    params = llama_cpp.llama_context_default_params()
    per_sequence = -(-(max(map(len, prompts)) + max_tokens + 16) // 256) * 256  # llama.cpp pads to 256
    params.n_ctx = n * per_sequence
    params.n_batch = params.n_ubatch = 512
    params.n_seq_max = n
    params.n_threads = params.n_threads_batch = threads
    ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
    batch = _internals.LlamaBatch(n_tokens=max(512, n), embd=0, n_seq_max=n, verbose=False)
    vocab, n_vocab = llm._model.vocab, llm.n_vocab()

    def argmax(i: int) -> int:
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx.ctx, i), shape=(n_vocab,))
        return int(logits.argmax())

    def put(j: int, token: int, pos: int, seq: int, logits: bool) -> None:
        b = batch.batch
        b.token[j], b.pos[j], b.n_seq_id[j], b.logits[j] = token, pos, 1, logits
        b.seq_id[j][0] = seq

    try:
        nxt, pos = [], []
        for s, toks in enumerate(prompts):
            for start in range(0, len(toks), 512):
                chunk = toks[start : start + 512]
                batch.reset()
                for j, t in enumerate(chunk):
                    put(j, t, start + j, s, start + j == len(toks) - 1)
                batch.batch.n_tokens = len(chunk)
                ctx.decode(batch)
            nxt.append(argmax(len(chunk) - 1))
            pos.append(len(toks))
        outs: list[list[int]] = [[] for _ in prompts]
        live = list(range(n))
        while live:
            batch.reset()
            step = []
            for s in live:
                tok = nxt[s]
                if llama_cpp.llama_vocab_is_eog(vocab, tok):
                    continue
                outs[s].append(tok)
                if len(outs[s]) >= max_tokens:
                    continue
                put(len(step), tok, pos[s], s, True)
                pos[s] += 1
                step.append(s)
            live = step
            if not step:
                break
            batch.batch.n_tokens = len(step)
            ctx.decode(batch)
            for j, s in enumerate(step):
                nxt[s] = argmax(j)
        return outs
    finally:
        batch.close()
        ctx.close()
