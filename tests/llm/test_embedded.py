"""The real embedded model (SmolLM2-135M in llama.cpp): short prompts, few tokens."""

from __future__ import annotations

import pytest
from llm_helpers import USER, needs_embedded

from evoforge.llm import ResponseCache, get_model

pytestmark = needs_embedded


def test_chat_generates_text(embedded) -> None:
    [c] = embedded.chat(USER, max_tokens=8, seed=1)
    assert c.text.strip()
    assert c.finish_reason in ("stop", "length")
    assert c.prompt_tokens > 0 and 0 < c.completion_tokens <= 8 and not c.cached


def test_complete_and_max_tokens_reports_length(embedded) -> None:
    [c] = embedded.complete("The days of the week are Monday, Tuesday,", max_tokens=4, temperature=0)
    assert c.finish_reason == "length" and c.completion_tokens == 4


def test_stop_sequence(embedded) -> None:
    [c] = embedded.complete("1, 2, 3, 4, 5,", max_tokens=16, temperature=0, stop=[","])
    assert "," not in c.text and c.finish_reason == "stop"


def test_batch_and_n_samples(embedded) -> None:
    convs = [[{"role": "user", "content": q}] for q in ("Name a fruit.", "Name an animal.", "Name a city.")]
    out = embedded.chat(convs, n=2, max_tokens=6, seed=3, temperature=0.9, tag="batch")
    assert len(out) == 6 and all(c.text for c in out)
    assert embedded.usage.by_tag()["batch"].calls == 3


def test_seed_determinism(embedded) -> None:
    kw = dict(n=2, max_tokens=12, temperature=1.0, seed=42)
    a = embedded.chat(USER, **kw)
    b = embedded.chat(USER, **kw)
    assert [c.text for c in a] == [c.text for c in b]
    other = embedded.chat(USER, **{**kw, "seed": 1234})
    assert [c.text for c in other] != [c.text for c in a]


def test_seeded_answer_does_not_depend_on_the_calls_before(embedded) -> None:
    """A cached prompt prefix is reused only in whole aligned blocks, so a seeded request gives the
    same text after requests that share a long prefix with it as after one that shares none."""
    system = "Classify the headline as world, sports, business or science. Answer in one word. " * 8

    def ask(headline: str) -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": headline}]
        return embedded.chat(messages, max_tokens=16, temperature=0.9, seed=7)[0].text

    embedded.chat([{"role": "user", "content": "Count to three."}], max_tokens=4, temperature=0)
    first = ask("Stocks fell sharply after the report.")
    ask("The team won the final in overtime.")  # shares the long system prompt
    again = ask("Stocks fell sharply after the report.")
    assert again == first


def test_a_long_prompt_is_reused_after_other_calls_with_the_same_text(monkeypatch) -> None:
    """A long prompt's cache is kept while short calls run in between (a meta agent's prompt between
    agent calls): the next prompt sharing it evaluates only its new blocks, and gives the text a context
    that kept nothing gives."""
    import llama_cpp

    def evaluated(model) -> int:
        ctx = model.llama._ctx.ctx
        n = llama_cpp.llama_perf_context(ctx).n_p_eval
        llama_cpp.llama_perf_context_reset(ctx)
        return n

    system = "Classify the headline as world, sports, business or science. Answer in one word. " * 12

    def ask(model, headline: str) -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": headline}]
        return model.chat(messages, max_tokens=8, temperature=0.9, seed=3)[0].text

    def between(model) -> None:
        model.chat([{"role": "user", "content": "Count to three."}], max_tokens=4, temperature=0)
        evaluated(model)

    kept = get_model("embedded", n_ctx=1536)  # a context of its own (models are pooled by settings)
    ask(kept, "Stocks fell sharply after the report.")
    between(kept)
    again = ask(kept, "The team won the final in overtime.")
    assert evaluated(kept) < 64
    monkeypatch.setenv("EVOFORGE_LLM_PREFIX_SLOTS", "0")
    nothing_kept = get_model("embedded", n_ctx=1280)
    between(nothing_kept)
    assert ask(nothing_kept, "The team won the final in overtime.") == again
    assert evaluated(nothing_kept) > 200


def test_exact_prefix_reuse_gives_the_greedy_text_of_the_default() -> None:
    """``prefix_reuse="exact"`` (llama.cpp's own reuse) is a second context with the same weights: for a
    greedy answer after a call that shares its prefix, it gives the aligned default's text."""
    aligned = get_model("embedded", n_ctx=1024)
    exact = get_model("embedded", n_ctx=1024, prefix_reuse="exact")
    assert exact.llama is not aligned.llama
    kw = dict(max_tokens=12, temperature=0)
    system = {"role": "system", "content": "You answer in one short sentence."}
    for model in (aligned, exact):
        model.chat([system, {"role": "user", "content": "Name a color."}], **kw)
    ask = [system, {"role": "user", "content": "Name a large animal."}]
    assert exact.chat(ask, **kw)[0].text == aligned.chat(ask, **kw)[0].text


def test_unknown_prefix_reuse_is_one_clear_error(monkeypatch) -> None:
    from evoforge.llm.errors import BadRequestError

    monkeypatch.setenv("EVOFORGE_LLM_PREFIX_REUSE", "sometimes")
    with pytest.raises(BadRequestError, match="prefix reuse must be one of aligned, exact"):
        get_model("embedded", n_ctx=1024)


def test_cache_hit_costs_zero_new_tokens(tmp_path) -> None:
    model = get_model("embedded", cache=tmp_path / "llm.sqlite", n_ctx=1024)
    first = model.chat(USER, max_tokens=8, seed=5, tag="mutate")
    spent = model.usage.snapshot()
    assert spent["total"]["calls"] == 1 and spent["total"]["completion_tokens"] > 0
    again = model.chat(USER, max_tokens=8, seed=5, tag="mutate")
    assert again[0].cached and again[0].text == first[0].text
    now = model.usage.snapshot()["total"]
    assert now["calls"] == 1 and now["cache_hits"] == 1
    assert now["prompt_tokens"] == spent["total"]["prompt_tokens"]
    assert now["completion_tokens"] == spent["total"]["completion_tokens"]
    # A resumed run: a fresh model on the same cache file replays without model calls.
    resumed = get_model("embedded", cache=ResponseCache(tmp_path / "llm.sqlite"), n_ctx=1024)
    resumed.usage.restore(spent)
    assert resumed.chat(USER, max_tokens=8, seed=5, tag="mutate")[0].text == first[0].text
    assert resumed.usage.calls == 1 and resumed.usage.cache_hits == 1


def test_timeout_stops_generation(embedded) -> None:
    model = get_model("embedded", n_ctx=1024, timeout=0.0)
    [c] = model.complete("Once upon a time", max_tokens=64, temperature=0)
    assert c.finish_reason == "timeout" and c.completion_tokens < 64


def test_prompt_longer_than_context_is_one_clear_error() -> None:
    from evoforge.llm import BadRequestError

    model = get_model("embedded", n_ctx=64)
    with pytest.raises(BadRequestError, match="context"):
        model.complete("word " * 200, max_tokens=4)


def test_a_local_gguf_file_is_a_model(tmp_path) -> None:
    """``gguf:PATH`` loads any GGUF file in llama.cpp: here the SmolLM2 file, which then answers as
    ``embedded`` does (same weights, same seed)."""
    from evoforge.llm.model_files import smollm2_path

    path = smollm2_path()
    local = get_model(f"gguf:{path}")
    assert local.spec == f"gguf:{path}" and local.name == path.stem
    ask = dict(max_tokens=12, temperature=0, seed=3)
    [mine] = local.chat([{"role": "user", "content": "Name a colour."}], **ask)
    [ref] = get_model("embedded").chat([{"role": "user", "content": "Name a colour."}], **ask)
    assert mine.text and mine.text == ref.text
