"""Reuse of evaluated prompt prefixes in a llama.cpp context, in whole aligned blocks only.

llama.cpp's own prefix reuse evaluates a new prompt's suffix as one batch, and a batch's size and
start change the arithmetic slightly: a seeded request then gave another text when its prompt shared a
prefix with the request before it. Here a prompt is always evaluated in blocks of :data:`PREFIX_BLOCK`
tokens aligned to position 0, and a cached prefix is reused only in whole blocks, so every token is
computed in the same batch as in a fresh evaluation: a seeded request gives the same text whatever ran
before, and requests that share a long prefix (a prompt's demos, a program under evolution, a meta
agent's task description and archive) skip most of it.

Besides the prompt in the context, a few earlier prompts' caches are kept (:class:`SavedPrefixes`): a
meta agent's long prompt survives the short agent calls between two meta calls on the same model.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

PREFIX_BLOCK = 64  # tokens per prompt batch; a cached prompt prefix is reused in whole blocks only
MIN_SAVED = 2 * PREFIX_BLOCK  # shorter prompts are cheap to evaluate again: not worth a slot


def aligned(n: int) -> int:
    """``n`` rounded down to whole blocks."""
    return n // PREFIX_BLOCK * PREFIX_BLOCK


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def saved_slots() -> int:
    """``$EVOFORGE_LLM_PREFIX_SLOTS`` (earlier prompts whose caches are kept), else 4; 0 turns it off."""
    env = os.environ.get("EVOFORGE_LLM_PREFIX_SLOTS", "")
    return int(env) if env.isdigit() else 4


class SavedPrefixes:
    """The KV caches of up to ``slots`` earlier prompts (whole blocks only), the longest kept."""

    def __init__(self, llm: Any, slots: int) -> None:
        self.llm, self.slots = llm, slots
        self.items: list[tuple[list[int], bytes]] = []

    def save(self, prompt: list[int]) -> None:
        """Keep the context's cache of ``prompt`` (the prompt it holds now), if long enough and new."""
        key = prompt[: aligned(len(prompt))]
        if self.slots <= 0 or len(key) < MIN_SAVED or any(k[: len(key)] == key for k, _ in self.items):
            return
        ctx = self.llm._ctx.ctx
        import llama_cpp

        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        got = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        self.items = [(k, d) for k, d in self.items if key[: len(k)] != k]  # a longer copy replaces a shorter
        self.items.append((key, bytes(buf)[:got]))
        self.items.sort(key=lambda kd: -len(kd[0]))
        del self.items[self.slots :]

    def best(self, tokens: list[int]) -> tuple[int, int]:
        """(reusable tokens, slot index) of the slot sharing the most whole blocks with ``tokens``."""
        best, where = 0, -1
        for i, (key, _) in enumerate(self.items):
            n = aligned(min(common_prefix(key, tokens), len(tokens) - 1))
            if n > best:
                best, where = n, i
        return best, where

    def restore(self, i: int) -> list[int]:
        """Load slot ``i`` into the context; returns its prompt tokens."""
        import llama_cpp

        key, data = self.items[i]
        ctx = self.llm._ctx.ctx
        self.llm._ctx.kv_cache_clear()
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if not llama_cpp.llama_state_seq_set_data(ctx, buf, len(data), 0):
            raise RuntimeError("llama.cpp could not restore a saved prompt cache")
        self.llm.input_ids[: len(key)] = key
        self.llm.n_tokens = len(key)
        return key


def aligned_generate(llm: Any, generate: Any, slots: int | None = None) -> Any:
    """``llm.generate`` that reuses cached prompt prefixes in whole blocks only (module docstring)."""
    previous: list[list[int]] = [[]]
    saved = SavedPrefixes(llm, saved_slots() if slots is None else slots)

    def run(tokens: Any, *args: Any, reset: bool = True, **kwargs: Any) -> Any:
        tokens = list(tokens)
        keep = 0
        if reset:
            keep = aligned(min(common_prefix(previous[0], tokens), len(tokens) - 1))
            from_slot, slot = saved.best(tokens)
            if keep < aligned(len(previous[0])):  # the context's prompt is about to be overwritten
                saved.save(previous[0])
                from_slot, slot = saved.best(tokens)
            if from_slot > keep:
                saved.restore(slot)
                keep = from_slot
            previous[0] = tokens
        if keep > 0 and llm.n_tokens >= keep and llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.n_tokens = keep
            return generate(tokens[keep:], *args, reset=False, **kwargs)
        if reset:
            llm.reset()
        return generate(tokens, *args, reset=False, **kwargs)

    return run
