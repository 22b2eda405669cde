"""evoforge's language-model layer: one interface for every backend.

>>> from evoforge.llm import get_model
>>> m = get_model("embedded", cache="runs/llm-cache.sqlite")
>>> m.chat([{"role": "user", "content": "Say hi"}], max_tokens=8, seed=1)[0].text  # doctest: +SKIP
>>> m.usage.snapshot()  # doctest: +SKIP

Specs: ``embedded`` (SmolLM2-135M-Instruct, offline), ``embedded:coder``
(Qwen2.5-Coder-0.5B-Instruct, offline, sha256-checked), ``embedded:coder-1.5b``
(Qwen2.5-Coder-1.5B-Instruct, the ``llm-large`` extra), ``gguf:PATH`` (any local GGUF file in
llama.cpp), ``openai[:MODEL]`` (any OpenAI-compatible ``base_url``), ``hf:PATH`` (a local
transformers model directory).
Heavy packages (llama_cpp, httpx, torch, transformers) are imported only when needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import Model
from .cache import ResponseCache
from .errors import (
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    EndpointError,
    EndpointUnreachableError,
    HashMismatchError,
    MissingPackageError,
    ModelError,
    ModelNotFoundError,
    ModelTimeoutError,
)
from .types import Completion, Message, Messages
from .usage import Usage, UsageMeter

if TYPE_CHECKING:
    import numpy as np

    from .server import ServerHandle

BACKENDS = {
    "embedded": "SmolLM2-135M-Instruct in llama.cpp, offline (default)",
    "embedded:coder": "Qwen2.5-Coder-0.5B-Instruct in llama.cpp, offline, sha256-checked",
    "embedded:coder-1.5b": "Qwen2.5-Coder-1.5B-Instruct in llama.cpp, offline, sha256-checked (extra llm-large)",
    "gguf:PATH": "any local GGUF file in llama.cpp",
    "openai[:MODEL]": "any OpenAI-compatible endpoint (--base-url, key from EVOFORGE_API_KEY/OPENAI_API_KEY)",
    "hf:PATH": "a local transformers model directory (torch, CPU)",
}


def get_model(
    spec: str = "embedded",
    base_url: str | None = None,
    cache: str | Path | ResponseCache | None = None,
    **opts: Any,
) -> Model:
    """Create the model named by ``spec`` (see :data:`BACKENDS`).

    ``cache``: a SQLite file (or a :class:`ResponseCache`) for responses; None disables it.
    ``opts`` go to the backend and to :class:`Model`: ``max_concurrency``, ``max_retries``,
    ``backoff``, ``timeout``, ``price_in``/``price_out`` (USD per 1M tokens), ``budget``;
    embedded: ``n_ctx``, ``n_threads``; openai: ``api_key``; hf: ``device``, ``dtype``.
    Raises :class:`ModelError` (one-line message) when the model cannot be had.
    """
    spec = (spec or "embedded").strip()
    backend, name = check_spec(spec, base_url)
    if cache is not None and not isinstance(cache, ResponseCache):
        cache = ResponseCache(cache)
    if cache is not None:
        opts["cache"] = cache
    if backend in ("embedded", "gguf"):
        from .embedded import EmbeddedModel

        return EmbeddedModel(name, **opts) if backend == "embedded" else EmbeddedModel(path=name, **opts)
    if backend == "openai":
        from .openai_backend import OpenAIModel

        return OpenAIModel(name, base_url, **opts)
    from .hf import HFModel

    return HFModel(name, **opts)


def check_spec(spec: str, base_url: str | None = None) -> tuple[str, str]:
    """Split a model ``spec`` into (backend, name) and check its pieces without loading anything:
    the backend, the embedded variant, the hf directory, and ``base_url`` (openai only, http(s)).
    Raises :class:`BadRequestError` (or :class:`ModelNotFoundError` for a missing hf directory)."""
    from evoforge.core.settings import url_problem

    from .embedded import EMBEDDED_MODELS, embedded_specs
    from .model_files import gguf_problem

    spec = (spec or "embedded").strip()
    backend, _, name = spec.partition(":")
    if backend not in ("embedded", "gguf", "openai", "hf"):
        known = ", ".join(embedded_specs())
        raise BadRequestError(f"unknown model '{spec}'; use {known}, gguf:PATH, openai[:MODEL] or hf:PATH")
    if base_url:
        if backend != "openai":
            raise BadRequestError(f"--base-url only applies to openai[:MODEL] models, not '{spec}'")
        problem = url_problem(base_url)
        if problem:
            raise BadRequestError(f"--base-url {problem}, got {base_url!r}")
    if backend == "embedded" and name not in EMBEDDED_MODELS:
        raise BadRequestError(f"unknown embedded model '{name}'; choose {', '.join(embedded_specs())}")
    if backend == "gguf":
        if not name:
            raise BadRequestError("gguf needs a path: gguf:PATH/TO/MODEL.gguf")
        problem = gguf_problem(Path(name).expanduser())
        if problem:
            raise ModelNotFoundError(problem)
    if backend == "hf":
        if not name:
            raise BadRequestError("hf needs a path: hf:PATH/TO/MODEL_DIR")
        path = Path(name).expanduser()
        if not path.is_dir() or not (path / "config.json").is_file():
            raise ModelNotFoundError(f"no transformers model directory at {path} (config.json missing)")
    return backend, name


def embed(texts: Any, *, batch_size: int = 64) -> np.ndarray:
    """Unit-norm all-MiniLM-L6-v2 embeddings, shape ``(len(texts), 384)``; offline."""
    from .embeddings import embed as _embed

    return _embed(texts, batch_size=batch_size)


def serve(
    spec: Model | str = "embedded", host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None
) -> None:
    """Serve a model over the OpenAI API on ``host:port`` until interrupted."""
    from .server import serve as _serve

    _serve(spec, host, port, api_key)


def start_server_in_thread(
    spec: Model | str = "embedded", host: str = "127.0.0.1", port: int = 0, api_key: str | None = None
) -> ServerHandle:
    """Start the OpenAI-compatible server in a thread; the handle has ``.url`` and is a context manager."""
    from .server import start_server_in_thread as _start

    return _start(spec, host, port, api_key)


__all__ = [
    "BACKENDS",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "Completion",
    "EndpointError",
    "EndpointUnreachableError",
    "HashMismatchError",
    "Message",
    "Messages",
    "MissingPackageError",
    "Model",
    "ModelError",
    "ModelNotFoundError",
    "ModelTimeoutError",
    "ResponseCache",
    "Usage",
    "UsageMeter",
    "check_spec",
    "embed",
    "get_model",
    "serve",
    "start_server_in_thread",
]
