"""A small OpenAI-compatible HTTP server for any :class:`~evoforge.llm.base.Model`
(meant for the embedded models), so other tools can use exactly the same model.

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions``, ``POST /v1/completions``
(no streaming). Sampling follows the library: sample ``i`` of ``n`` uses ``seed + i``.

Why the standard library's ``ThreadingHTTPServer``: it adds no dependency, starts in
milliseconds (good for tests) and is enough here, because an embedded model runs one
generation at a time anyway (one llama.cpp context behind a lock); an async framework
would add packages without adding throughput. Binds 127.0.0.1 by default.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .base import Model
from .errors import BadRequestError, ModelError

MAX_BODY = 8 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], model: Model, api_key: str | None, names: set[str]) -> None:
        super().__init__(addr, _Handler)
        self.model = model
        self.api_key = api_key
        self.names = names


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, code: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: int, message: str, kind: str) -> None:
        self._send(code, {"error": {"message": message, "type": kind, "code": code}})

    def _authorized(self) -> bool:
        if not self.server.api_key:
            return True
        if self.headers.get("Authorization", "") == f"Bearer {self.server.api_key}":
            return True
        self._error(401, "invalid API key", "invalid_api_key")
        return False

    def do_GET(self) -> None:
        if not self._authorized():
            return
        path = self.path.rstrip("/")
        if path in ("/v1/models", "/models"):
            now = int(time.time())
            data = [
                {"id": n, "object": "model", "created": now, "owned_by": "evoforge"}
                for n in sorted(self.server.names, key=lambda n: n != self.server.model.spec)
            ]
            self._send(200, {"object": "list", "data": data})
        elif path in ("", "/health", "/v1/health"):
            self._send(200, {"status": "ok", "model": self.server.model.spec})
        else:
            self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        if not self._authorized():
            return
        path = self.path.rstrip("/")
        if path not in ("/v1/chat/completions", "/v1/completions", "/chat/completions", "/completions"):
            self._error(404, f"no route {self.path}", "not_found")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                raise BadRequestError("missing or too large request body")
            body = json.loads(self.rfile.read(length))
            if not isinstance(body, dict):
                raise BadRequestError("request body must be a JSON object")
        except (ValueError, BadRequestError) as e:
            self._error(400, f"bad request: {e}", "invalid_request_error")
            return
        name = body.get("model")
        if name and name not in self.server.names:
            self._error(
                404, f"model '{name}' not found; this server has {sorted(self.server.names)}", "model_not_found"
            )
            return
        if body.get("stream"):
            self._error(400, "streaming is not supported by this server", "invalid_request_error")
            return
        chat = path.endswith("chat/completions")
        try:
            reply = self._complete(body, chat)
        except BadRequestError as e:
            self._error(400, str(e), "invalid_request_error")
        except ModelError as e:
            self._error(500, str(e), "server_error")
        except (TypeError, ValueError) as e:
            self._error(400, f"bad request: {e}", "invalid_request_error")
        else:
            self._send(200, reply)

    def _complete(self, body: dict[str, Any], chat: bool) -> dict[str, Any]:
        model = self.server.model
        stop = body.get("stop")
        kw: dict[str, Any] = dict(
            n=int(body.get("n") or 1),
            temperature=float(body.get("temperature", 1.0) if body.get("temperature") is not None else 1.0),
            top_p=float(body.get("top_p") if body.get("top_p") is not None else 1.0),
            max_tokens=int(body.get("max_tokens") or body.get("max_completion_tokens") or 256),
            stop=[stop] if isinstance(stop, str) else (list(stop) if stop else None),
            seed=None if body.get("seed") is None else int(body["seed"]),
            tag="server",
        )
        if chat:
            messages = body.get("messages")
            if not isinstance(messages, list) or not messages:
                raise BadRequestError("'messages' must be a non-empty list")
            comps = model.chat(messages, **kw)
        else:
            prompt = body.get("prompt")
            if isinstance(prompt, list) and len(prompt) == 1:
                prompt = prompt[0]
            if not isinstance(prompt, str):
                raise BadRequestError("'prompt' must be a string")
            comps = model.complete(prompt, **kw)
        choices = []
        for i, c in enumerate(comps):
            fr = c.finish_reason if c.finish_reason in ("stop", "length") else "length"
            if chat:
                choices.append({"index": i, "message": {"role": "assistant", "content": c.text}, "finish_reason": fr})
            else:
                choices.append({"index": i, "text": c.text, "finish_reason": fr, "logprobs": None})
        p_tok = comps[0].prompt_tokens if comps else 0
        c_tok = sum(c.completion_tokens for c in comps)
        return {
            "id": f"{'chatcmpl' if chat else 'cmpl'}-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": body.get("model") or model.spec,
            "choices": choices,
            "usage": {"prompt_tokens": p_tok, "completion_tokens": c_tok, "total_tokens": p_tok + c_tok},
        }


def _served_names(model: Model) -> set[str]:
    names = {model.spec, model.name}
    if model.spec == "embedded":
        names.add("embedded:smollm2")
    return {n for n in names if n}


def make_server(model: Model | str, host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None) -> _Server:
    """Build (not start) the HTTP server; ``model`` is a Model or a ``get_model`` spec."""
    if isinstance(model, str):
        from . import get_model

        model = get_model(model)
    try:
        return _Server((host, port), model, api_key, _served_names(model))
    except OSError as e:
        raise ModelError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def serve(
    spec: Model | str = "embedded", host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None
) -> None:
    """Serve ``spec`` over the OpenAI API until interrupted (Ctrl-C)."""
    server = make_server(spec, host, port, api_key)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class ServerHandle:
    """A server running in a background thread; ``url`` is its ``.../v1`` base URL."""

    def __init__(self, server: _Server) -> None:
        self.server = server
        self.host, self.port = server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}/v1"
        self.model = server.model
        self._thread = threading.Thread(target=server.serve_forever, name="evoforge-llm-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_server_in_thread(
    spec: Model | str = "embedded", host: str = "127.0.0.1", port: int = 0, api_key: str | None = None
) -> ServerHandle:
    """Start a server in a daemon thread (``port=0``: a free port) and return its handle,
    which is also a context manager that stops it."""
    return ServerHandle(make_server(spec, host, port, api_key))


@contextmanager
def running_server(spec: Model | str = "embedded", **kw: Any) -> Iterator[ServerHandle]:
    """``with running_server("embedded") as srv: ... srv.url ...``"""
    handle = start_server_in_thread(spec, **kw)
    try:
        yield handle
    finally:
        handle.close()
