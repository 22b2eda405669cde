"""A local Hugging Face transformers model directory (``hf:PATH``), e.g. the one trainers update.

torch and transformers are imported only when such a model is created. Nothing is
downloaded: the directory must hold the config, weights and tokenizer.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from .base import Model, truncate_at_stop
from .errors import MissingPackageError, ModelError, ModelNotFoundError
from .types import Completion, Request


class HFModel(Model):
    """Generation with ``transformers`` on CPU (or ``device``), one sample at a time,
    sample ``i`` seeded with ``seed + i``. Chat prompts use the tokenizer's chat template."""

    backend = "hf"

    def __init__(self, path: str | Path, *, device: str = "cpu", dtype: str = "float32", **opts: Any) -> None:
        self.path = Path(path).expanduser()
        if not self.path.is_dir() or not (self.path / "config.json").is_file():
            raise ModelNotFoundError(f"no transformers model directory at {self.path} (config.json missing)")
        super().__init__(str(self.path), **opts)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise MissingPackageError(
                "the hf backend needs torch and transformers: pip install 'evoforge[train]'"
            ) from None
        self._torch = torch
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except Exception:  # pragma: no cover - older transformers
            pass
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(
                str(self.path), dtype=getattr(torch, dtype), local_files_only=True
            ).to(device)
        except Exception as e:
            raise ModelError(f"cannot load transformers model from {self.path}: {type(e).__name__}: {e}") from None
        self.model.eval()
        self.device = device
        self._lock = threading.Lock()

    @property
    def spec(self) -> str:
        return f"hf:{self.path}"

    def _encode(self, req: Request) -> Any:
        tok = self.tokenizer
        if req.kind == "chat":
            if getattr(tok, "chat_template", None):
                ids = tok.apply_chat_template(
                    req.input, add_generation_prompt=True, return_tensors="pt", return_dict=True
                )["input_ids"]
            else:
                text = "\n".join(f"{m['role']}: {m['content']}" for m in req.input) + "\nassistant:"
                ids = tok(text, return_tensors="pt")["input_ids"]
        else:
            ids = tok(req.input, return_tensors="pt")["input_ids"]
        return ids.to(self.device)

    def _generate(self, req: Request) -> list[Completion]:
        torch = self._torch
        ids = self._encode(req)
        n_prompt = int(ids.shape[1])
        eos = self.tokenizer.eos_token_id
        out = []
        with self._lock, torch.inference_mode():
            for i in range(req.n):
                seed = req.sample_seed(i)
                if seed is not None:
                    torch.manual_seed(seed)
                sample = req.temperature > 0
                kw: dict[str, Any] = dict(
                    max_new_tokens=req.max_tokens, do_sample=sample, pad_token_id=self.tokenizer.pad_token_id or eos
                )
                if sample:
                    kw.update(temperature=req.temperature, top_p=req.top_p, top_k=0)
                if req.stop:
                    kw.update(stop_strings=list(req.stop), tokenizer=self.tokenizer)
                try:
                    gen = self.model.generate(ids, attention_mask=torch.ones_like(ids), **kw)
                except Exception as e:
                    raise ModelError(f"{self.spec} failed: {type(e).__name__}: {e}") from None
                new = gen[0, n_prompt:]
                n_new = int(new.shape[0])
                ended = n_new > 0 and eos is not None and int(new[-1]) == eos
                text = self.tokenizer.decode(new, skip_special_tokens=True)
                text, hit = truncate_at_stop(text, req.stop)
                finish = "stop" if (hit or ended or n_new < req.max_tokens) else "length"
                out.append(Completion(text, finish, n_prompt, n_new))
        return out


def gguf_to_hf(gguf: str | Path, out_dir: str | Path) -> Path:
    """Dequantise a GGUF file into a float32 transformers directory (needs ``gguf`` and
    ``accelerate``); used to compare engines on the same weights and to seed trainers."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise MissingPackageError("converting GGUF needs transformers: pip install 'evoforge[train]'") from None
    gguf, out = Path(gguf), Path(out_dir)
    try:
        kw = dict(gguf_file=gguf.name, local_files_only=True)
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), **kw)
        quant = AutoModelForCausalLM.from_pretrained(str(gguf.parent), **kw)
        cfg = AutoConfig.from_pretrained(str(gguf.parent), **kw)
    except ImportError as e:
        raise MissingPackageError(f"converting GGUF needs 'gguf' and 'accelerate': {e}") from None
    if hasattr(cfg, "quantization_config"):
        del cfg.quantization_config
    model = AutoModelForCausalLM.from_config(cfg)
    model.load_state_dict(quant.state_dict())
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out
