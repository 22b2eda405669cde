"""A counting proxy in front of an OpenAI-compatible server: every chat or completion request is counted,
forwarded with its ``model`` field set to the served model (and ``max_tokens`` capped at
``max_tokens`` when one is given), and refused (HTTP 400, nothing forwarded)
once ``budget`` requests have been forwarded, so a client makes exactly ``budget`` model calls at most.
``exhausted`` is set when a request is refused. Used by ``adas_reference.py`` to hold a foreign system to
the same number of model calls as evoforge's recipes. ``json_mode``, when given, answers the requests that
ask for ``response_format`` ``json_object`` instead of the server (which ignores that field): a function
from the request body to an OpenAI reply body; counted and limited like the others.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JsonMode = Callable[[dict[str, Any]], dict[str, Any]]


class Meter:
    """Counts and limits the requests passing through (thread-safe)."""

    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self.forwarded = 0
        self.refused = 0
        self.statuses: Counter[int] = Counter()
        self.replies: list[dict[str, Any]] = []  # per forwarded call: status, seconds, tokens, finish reason
        self.exhausted = threading.Event()
        self._lock = threading.Lock()

    def admit(self) -> bool:
        with self._lock:
            if self.budget is not None and self.forwarded >= self.budget:
                self.refused += 1
                self.exhausted.set()
                return False
            self.forwarded += 1
            return True

    def done(self, status: int, seconds: float, body: bytes) -> None:
        try:
            reply = json.loads(body)
            choice = reply["choices"][0]
            tokens, finish = int(reply["usage"]["completion_tokens"]), choice.get("finish_reason")
        except (ValueError, KeyError, IndexError, TypeError):
            tokens, finish = 0, None
        with self._lock:
            self.statuses[status] += 1
            self.replies.append({"status": status, "seconds": seconds, "tokens": tokens, "finish": finish})

    def reset(self, budget: int | None) -> None:
        with self._lock:
            self.budget, self.forwarded, self.refused = budget, 0, 0
            self.statuses.clear()
            self.replies.clear()
            self.exhausted.clear()


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, model: str, meter: Meter, timeout: float, max_tokens: int | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream, self.model, self.meter, self.timeout = upstream.rstrip("/"), model, meter, timeout
        self.max_tokens = max_tokens
        self.json_mode: JsonMode | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (it is stopped when the budget is reached) is not an error here."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _reply(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._forward(None)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            self._reply(400, b'{"error": {"message": "request body is not JSON", "type": "invalid_request_error"}}')
            return
        if isinstance(body, dict):
            body["model"] = self.server.model
            cap = self.server.max_tokens
            if cap is not None:
                body["max_tokens"] = min(int(body.get("max_tokens") or cap), cap)
        if not self.server.meter.admit():
            msg = {"error": {"message": "model-call budget reached", "type": "budget_exhausted", "code": 400}}
            self._reply(400, json.dumps(msg).encode())
            return
        fmt = body.get("response_format") if isinstance(body, dict) else None
        wants_json = isinstance(fmt, dict) and fmt.get("type") == "json_object"
        if wants_json and self.server.json_mode is not None and self.path.rstrip("/").endswith("chat/completions"):
            self._answer_json(body)
        else:
            self._forward(json.dumps(body).encode())

    def _answer_json(self, body: dict[str, Any]) -> None:
        start = time.perf_counter()
        try:
            code, reply = 200, json.dumps(self.server.json_mode(body)).encode()  # type: ignore[misc]
        except (ValueError, KeyError, TypeError) as err:  # the prompt does not fit the context window, ...
            code, reply = 400, json.dumps({"error": {"message": str(err), "type": "invalid_request_error"}}).encode()
        except Exception as err:  # the model failed: a server error for the client, the proxy goes on
            code, reply = 500, json.dumps({"error": {"message": str(err), "type": "server_error"}}).encode()
        self.server.meter.done(code, time.perf_counter() - start, reply)
        self._reply(code, reply)

    def _forward(self, data: bytes | None) -> None:
        path = self.path if self.path.startswith("/v1") else "/v1" + self.path
        url = self.server.upstream.removesuffix("/v1") + path
        req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        req.add_header("Content-Type", "application/json")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.server.timeout) as resp:
                code, body = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            code, body = err.code, err.read()
        except OSError as err:  # upstream down or timed out: a server error for the client
            code, body = 502, json.dumps({"error": {"message": f"upstream: {err}", "type": "server_error"}}).encode()
        if data is not None:
            self.server.meter.done(code, time.perf_counter() - start, body)
        self._reply(code, body)


class MeteredProxy:
    """``MeteredProxy(upstream_url, served_model, budget)``; ``url`` is its ``.../v1`` base URL."""

    def __init__(
        self,
        upstream: str,
        model: str,
        budget: int | None,
        timeout: float = 3600.0,
        max_tokens: int | None = None,
        json_mode: JsonMode | None = None,
    ) -> None:
        self.meter = Meter(budget)
        self._server = _Proxy(upstream, model, self.meter, timeout, max_tokens)
        self._server.json_mode = json_mode
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, name="openai-meter", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
