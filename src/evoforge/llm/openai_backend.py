"""Any OpenAI-compatible endpoint (vLLM, a llama.cpp server, Ollama, hosted APIs, ``evoforge serve``).

Plain HTTP through ``httpx``: no vendor SDK. The API key comes from the ``api_key``
option, else ``$EVOFORGE_API_KEY``, else ``$OPENAI_API_KEY``; the base URL from the
``base_url`` argument, else ``$EVOFORGE_BASE_URL``, else ``$OPENAI_BASE_URL``, else
the OpenAI API. Connection errors, timeouts, HTTP 429 and 5xx are retried with
exponential backoff; 401/403, 404 and 400 fail at once with one clear line.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .base import Model, TransientError, retry, truncate_at_stop
from .errors import (
    AuthenticationError,
    BadRequestError,
    EndpointError,
    EndpointUnreachableError,
    MissingPackageError,
    ModelError,
    ModelNotFoundError,
    ModelTimeoutError,
)
from .types import Completion, Request

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def env_base_url() -> str | None:
    return os.environ.get("EVOFORGE_BASE_URL") or os.environ.get("OPENAI_BASE_URL") or None


def env_api_key() -> str | None:
    return os.environ.get("EVOFORGE_API_KEY") or os.environ.get("OPENAI_API_KEY") or None


def _error_message(resp: Any) -> str:
    try:
        body = resp.json()
        err = body.get("error", body) if isinstance(body, dict) else body
        msg = err.get("message") if isinstance(err, dict) else err
        return " ".join(str(msg).split())[:200]
    except Exception:
        return " ".join(resp.text.split())[:200]


class OpenAIModel(Model):
    """A model behind an OpenAI-compatible HTTP API.

    An empty model name is resolved to the first id listed by ``GET /models``.
    Up to ``max_concurrency`` (default 8) requests of a batch are in flight at once.
    """

    backend = "openai"

    def __init__(
        self,
        model: str = "",
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        max_concurrency: int = 8,
        timeout: float | None = 120.0,
        **opts: Any,
    ) -> None:
        try:
            import httpx
        except ImportError:
            raise MissingPackageError("the openai backend needs 'httpx': pip install 'evoforge[llm]'") from None
        self._httpx = httpx
        self.base_url = (base_url or env_base_url() or DEFAULT_BASE_URL).rstrip("/")
        super().__init__(model, max_concurrency=max_concurrency, timeout=timeout, **opts)
        key = api_key if api_key is not None else env_api_key()
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout or 10.0)),
            limits=httpx.Limits(max_connections=self.max_concurrency),
        )
        self._name_lock = threading.Lock()

    @property
    def spec(self) -> str:
        return f"openai:{self.name}" if self.name else "openai"

    # -- HTTP ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}{path}"
        httpx = self._httpx

        def once() -> dict[str, Any]:
            try:
                resp = self._client.request(method, url, json=body)
            except httpx.TimeoutException:
                raise TransientError(
                    ModelTimeoutError(
                        f"{url} did not answer within {self.timeout:g} s ({self.max_retries + 1} attempts)"
                    )
                ) from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as e:
                raise TransientError(
                    EndpointUnreachableError(
                        f"cannot reach {self.base_url}: {type(e).__name__}"
                        f" ({str(e) or 'connection failed'}; {self.max_retries + 1} attempts)"
                    )
                ) from None
            except httpx.HTTPError as e:
                raise EndpointError(f"request to {url} failed: {type(e).__name__}: {e}") from None
            code = resp.status_code
            if code in (401, 403):
                raise AuthenticationError(
                    f"{self.base_url} rejected the API key (HTTP {code}); set EVOFORGE_API_KEY or OPENAI_API_KEY"
                )
            if code == 404:
                what = f"model '{self.name}'" if self.name and body is not None else url
                raise ModelNotFoundError(f"{what} not found at {self.base_url} (HTTP 404: {_error_message(resp)})")
            if code == 429 or code >= 500:
                raise TransientError(
                    EndpointError(
                        f"{url} answered HTTP {code} after {self.max_retries + 1} attempts: {_error_message(resp)}"
                    )
                )
            if code >= 400:
                raise BadRequestError(f"{url} answered HTTP {code}: {_error_message(resp)}")
            try:
                data = resp.json()
            except ValueError:
                raise EndpointError(f"{url} answered something that is not JSON") from None
            if not isinstance(data, dict):
                raise EndpointError(f"{url} answered unexpected JSON")
            return data

        return retry(once, max_retries=self.max_retries, backoff=self.backoff)

    def list_models(self) -> list[str]:
        """Model ids the endpoint lists under ``GET /models``."""
        data = self._request("GET", "/models")
        return [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]

    def _resolve_name(self) -> str:
        with self._name_lock:
            if not self.name:
                ids = self.list_models()
                if not ids:
                    raise ModelNotFoundError(f"{self.base_url} lists no models; use openai:MODEL")
                self.name = ids[0]
            return self.name

    # -- generation ---------------------------------------------------------------------

    def _one(self, req: Request, tag: str) -> list[Completion]:
        self._resolve_name()  # the cache key needs the real model name
        return super()._one(req, tag)

    def _body(self, req: Request, n: int, seed: int | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.name,
            "n": n,
            "temperature": req.temperature,
            "top_p": req.top_p,
            "max_tokens": req.max_tokens,
        }
        if req.stop:
            body["stop"] = list(req.stop)
        if seed is not None:
            body["seed"] = seed
        if req.kind == "chat":
            body["messages"] = req.input
        else:
            body["prompt"] = req.input
        return body

    def _generate(self, req: Request) -> list[Completion]:
        path = "/chat/completions" if req.kind == "chat" else "/completions"
        out: list[Completion] = []
        prompt_tokens = 0
        # Ask for all n at once; servers that ignore `n` get one request per missing sample
        # (sample i with seed + i, the same convention as the embedded backend).
        while len(out) < req.n:
            want = req.n - len(out)
            data = self._request("POST", path, self._body(req, want, req.sample_seed(len(out))))
            choices = data.get("choices") or []
            if not choices:
                raise EndpointError(f"{self.base_url}{path} returned no choices")
            usage = data.get("usage") or {}
            texts = []
            for ch in choices[:want]:
                if req.kind == "chat":
                    text = ((ch.get("message") or {}).get("content")) or ""
                else:
                    text = ch.get("text") or ""
                texts.append((text, ch.get("finish_reason")))
            p_tok = int(usage.get("prompt_tokens") or 0)
            c_tok = int(usage.get("completion_tokens") or 0)
            if not usage:  # endpoint without usage: estimate ~4 characters per token
                p_tok = len(str(req.input)) // 4
                c_tok = sum(len(t) for t, _ in texts) // 4
            prompt_tokens = prompt_tokens or p_tok
            per = [c_tok // len(texts)] * len(texts)
            per[-1] += c_tok - sum(per)
            for (text, finish), toks in zip(texts, per, strict=True):
                text, hit = truncate_at_stop(text, req.stop)  # some servers return the stop text
                finish = "stop" if hit else (finish or "stop")
                out.append(Completion(text, str(finish), prompt_tokens, toks))
        return out

    def check(self) -> str:
        self._resolve_name()
        super().check()
        return f"{self.name} at {self.base_url}"

    def close(self) -> None:
        self._client.close()
        super().close()


__all__ = ["ModelError", "OpenAIModel"]
