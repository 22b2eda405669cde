"""Trainable transformers models: the embedded SmolLM2 de-quantized, a tiny random model for tests,
checkpoints (full or LoRA adapter) saved to and loaded from directories.

A *checkpoint* is a directory. Either a full transformers model (``config.json`` + weights +
tokenizer), or a PEFT adapter (``adapter_config.json``) whose base is named in ``evoforge.json``
(``{"base": "/path/to/full/model"}``). :func:`load` handles both.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

META = "evoforge.json"  # checkpoint metadata: base (for adapters), what produced it, a fingerprint
DONE = "DONE"  # written last: a directory without it is an unfinished checkpoint

_loaded: dict[str, tuple[Any, Any]] = {}  # one model in memory per process (the current checkpoint)


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DISABLE_MLFLOW_INTEGRATION", "TRUE")
    os.environ.setdefault("WANDB_DISABLED", "true")
    _threads()


_threads_set = False


def _threads() -> None:
    """Torch intra-op threads: ``EVOFORGE_TORCH_THREADS``, default 1. On a shared 2-core machine one
    thread measured 10x faster than two (OpenMP threads spin against other processes), and a fixed
    count keeps float results, hence seeded runs, reproducible."""
    global _threads_set
    if _threads_set:
        return
    _threads_set = True
    try:
        import torch
    except ImportError:
        return
    import warnings

    warnings.filterwarnings("ignore", message=".*gradient_checkpointing.*")
    try:
        import datasets
        import transformers

        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        datasets.disable_progress_bars()
    except ImportError:
        pass
    torch.set_num_threads(max(1, int(os.environ.get("EVOFORGE_TORCH_THREADS", "1"))))


def device() -> str:
    """``cuda`` when a GPU is visible (and ``EVOFORGE_DEVICE`` does not say otherwise), else ``cpu``."""
    forced = os.environ.get("EVOFORGE_DEVICE")
    if forced:
        return forced
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def cache_dir() -> Path:
    """Where de-quantized base models live (shared by all runs)."""
    from evoforge.llm.model_files import user_cache_dir

    return user_cache_dir() / "models"


def weights_root(workdir: str = "") -> Path:
    """Where self-training keeps checkpoints and caches: ``workdir``, else ``$EVOFORGE_WEIGHTS_DIR``, else
    ``~/.cache/evoforge/weights``."""
    if workdir:
        return Path(workdir).expanduser()
    env = os.environ.get("EVOFORGE_WEIGHTS_DIR")
    if env:
        return Path(env).expanduser()
    from evoforge.llm.model_files import user_cache_dir

    return user_cache_dir() / "weights"


def is_checkpoint(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and ((p / "config.json").is_file() or (p / "adapter_config.json").is_file())


def finished(path: str | Path) -> bool:
    return is_checkpoint(path) and (Path(path) / DONE).is_file()


def mark_done(path: str | Path, meta: dict[str, Any]) -> None:
    p = Path(path)
    (p / META).write_text(json.dumps(meta, indent=1, sort_keys=True, default=str))
    (p / DONE).write_text("ok\n")


def read_meta(path: str | Path) -> dict[str, Any]:
    f = Path(path) / META
    return json.loads(f.read_text()) if f.is_file() else {}


def fingerprint(path: str | Path) -> str:
    """A short identity of a checkpoint (for generation caches): its metadata or its file sizes."""
    p = Path(path)
    meta = read_meta(p)
    if meta.get("fingerprint"):
        return str(meta["fingerprint"])
    h = hashlib.blake2b(str(p.resolve()).encode(), digest_size=8)
    for f in sorted(p.glob("*")):
        if f.is_file():
            h.update(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}".encode())
    return h.hexdigest()


def resolve(spec: str | Path) -> Path:
    """A checkpoint directory for ``spec``: ``embedded`` (SmolLM2-135M-Instruct de-quantized to
    float32, converted once and cached), ``embedded:coder`` (Qwen2.5-Coder-0.5B-Instruct, likewise),
    ``tiny[:SEED[:LAYERSxHIDDEN[:nope]]]`` (a small random Llama with a character tokenizer: 2 layers
    of 64 by default, for tests; ``nope``: no positional encoding), or a path to a checkpoint
    directory."""
    spec = str(spec)
    if spec in ("embedded", "smollm2", "embedded:smollm2"):
        return smollm2_dir()
    if spec in ("embedded:coder", "coder"):
        return coder_dir()
    if spec == "tiny" or spec.startswith("tiny:"):  # tiny[:SEED[:LAYERSxHIDDEN[:nope]]]
        parts = spec.split(":")[1:]
        seed = int(parts[0] or 0) if parts else 0
        layers, hidden = (int(x) for x in parts[1].split("x")) if len(parts) > 1 else (2, 64)
        nope = len(parts) > 2 and parts[2] == "nope"
        name = (
            f"tiny-llama-{seed}"
            if (layers, hidden, nope) == (2, 64, False)
            else f"tiny-{'nope' if nope else 'llama'}-{seed}-{layers}x{hidden}"
        )
        return tiny_model(cache_dir() / name, layers=layers, hidden=hidden, seed=seed, nope=nope)
    p = Path(spec).expanduser()
    if not is_checkpoint(p):
        raise FileNotFoundError(f"no model checkpoint at {p} (expected config.json or adapter_config.json)")
    return p


def smollm2_dir() -> Path:
    """The embedded SmolLM2-135M-Instruct GGUF de-quantized into a float32 transformers directory."""
    from evoforge.llm.model_files import smollm2_path

    return _dequantized(smollm2_path, "smollm2-135m-instruct-f32")


def coder_dir() -> Path:
    """The embedded Qwen2.5-Coder-0.5B-Instruct GGUF (assembled from its parts and its sha256 checked
    before use) de-quantized into a float32 transformers directory."""
    from evoforge.llm.embedded import assemble_coder

    return _dequantized(assemble_coder, "qwen2.5-coder-0.5b-instruct-f32")


def _dequantized(gguf: Any, name: str) -> Path:
    """``gguf()``'s model converted once into ``<cache>/<name>`` (atomic: a finished directory or none)."""
    out = cache_dir() / name
    if finished(out):
        return out
    _offline()
    from evoforge.llm.hf import gguf_to_hf

    source = gguf()
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    gguf_to_hf(source, tmp)
    mark_done(tmp, {"source": str(source), "fingerprint": name})
    if finished(out):  # someone else converted it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
    return out


CHARS = list("0123456789+-*=?.,;:!()[]/ \nabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'\"")


def char_tokenizer() -> Any:
    """A character-level tokenizer (no download): every character of :data:`CHARS` is one token."""
    _offline()
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    special = ["<pad>", "<s>", "</s>", "<unk>"]
    vocab = {t: i for i, t in enumerate(special + CHARS)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )


def tiny_model(
    out: str | Path, *, layers: int = 2, hidden: int = 64, heads: int = 4, seed: int = 0, nope: bool = False
) -> Path:
    """Build (once) a small randomly initialised model with a character tokenizer at ``out``: a Llama
    (rotary positions), or with ``nope`` a GPT-NeoX with no positional encoding at all (its rotary part
    set to 0 %), which extrapolates to longer inputs better (Kazemnejad et al., 2023)."""
    out = Path(out)
    if finished(out):
        return out
    _offline()
    import torch

    tok = char_tokenizer()
    special = dict(
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        tie_word_embeddings=True,
        max_position_embeddings=512,
    )
    torch.manual_seed(seed)
    if nope:
        from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

        model = GPTNeoXForCausalLM(
            GPTNeoXConfig(
                vocab_size=len(tok),
                hidden_size=hidden,
                intermediate_size=hidden * 4,
                num_hidden_layers=layers,
                num_attention_heads=heads,
                rotary_pct=0.0,
                use_parallel_residual=False,
                **special,
            )
        )
    else:
        from transformers import LlamaConfig, LlamaForCausalLM

        model = LlamaForCausalLM(
            LlamaConfig(
                vocab_size=len(tok),
                hidden_size=hidden,
                intermediate_size=hidden * 2,
                num_hidden_layers=layers,
                num_attention_heads=heads,
                num_key_value_heads=heads,
                **special,
            )
        )
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    mark_done(tmp, {"source": "tiny", "fingerprint": f"tiny-{layers}-{hidden}-{heads}-{seed}{'-nope' if nope else ''}"})
    if not finished(out):
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def base_of(path: str | Path) -> Path:
    """The full-model directory under a checkpoint (itself, or an adapter's base)."""
    p = Path(path)
    if (p / "adapter_config.json").is_file():
        return Path(read_meta(p)["base"])
    return p


def chain_of(path: str | Path) -> list[str]:
    """The adapters merged, in order, on :func:`base_of` to give this checkpoint (itself included)."""
    p = Path(path)
    if (p / "adapter_config.json").is_file():
        return [*read_meta(p).get("chain", []), str(p)]
    return []


def load(path: str | Path, *, trainable: bool = False, dev: str | None = None) -> tuple[Any, Any]:
    """Load a checkpoint merged into a plain transformers model: ``(model, tokenizer)``. Adapters are
    merged on their base in order. Frozen (``trainable=False``) loads are reused in-process."""
    _offline()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    p = Path(path)
    dev = dev or device()
    key = f"{p.resolve()}|{fingerprint(p)}|{dev}"
    if not trainable and key in _loaded:
        return _loaded[key]
    base = base_of(p)
    tok = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=torch.float32, local_files_only=True)
    chain = chain_of(p)
    if chain:
        from peft import PeftModel

        for adapter in chain:
            model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    model.to(dev)
    if not trainable:
        model.eval()
        _loaded.clear()  # keep one frozen model at a time: memory is short
        _loaded[key] = (model, tok)
    else:
        model.train()
    return model, tok


def forget() -> None:
    """Drop the in-process model (after training, before loading the next checkpoint)."""
    _loaded.clear()


def keep_loaded(key: str, value: tuple[Any, Any]) -> tuple[Any, Any]:
    """Hold ``value`` (a frozen model and its tokenizer, e.g. a reward model) as the one model in memory."""
    _loaded.clear()
    _loaded[key] = value
    return value


def loaded(key: str) -> tuple[Any, Any] | None:
    """The model held under ``key`` by :func:`load` or :func:`keep_loaded`, if it still is."""
    return _loaded.get(key)


def save_full(model: Any, tok: Any, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out
