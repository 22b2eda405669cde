"""The openai backend against our own server (serving the embedded model) and scripted endpoints."""

from __future__ import annotations

import time

import pytest
from llm_helpers import USER, closed_port, needs_embedded

from evoforge.llm import (
    AuthenticationError,
    EndpointError,
    EndpointUnreachableError,
    ModelNotFoundError,
    get_model,
    start_server_in_thread,
)

OK_CHAT = {
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 4, "completion_tokens": 1},
}


@needs_embedded
def test_openai_backend_matches_embedded_through_server(server, embedded) -> None:
    remote = get_model("openai", base_url=server.url)
    assert remote.list_models()[0] == "embedded"
    kw = dict(n=2, max_tokens=8, temperature=0.8, seed=11)
    got = remote.chat(USER, **kw)
    assert remote.name == "embedded"
    assert [c.text for c in got] == [c.text for c in embedded.chat(USER, **kw)]
    assert remote.usage.calls == 1 and remote.usage.completion_tokens > 0
    [c] = remote.complete("Paris is the capital of", max_tokens=3, temperature=0)
    assert c.finish_reason == "length" and c.completion_tokens == 3
    assert "embedded" in remote.check()


@needs_embedded
def test_server_unknown_model_is_404(server) -> None:
    with pytest.raises(ModelNotFoundError, match="no-such-model"):
        get_model("openai:no-such-model", base_url=server.url).chat(USER, max_tokens=2)


@needs_embedded
def test_wrong_key_is_401(embedded) -> None:
    with start_server_in_thread(embedded, api_key="right") as srv:
        bad = get_model("openai:embedded", base_url=srv.url, api_key="wrong")
        with pytest.raises(AuthenticationError, match="rejected the API key"):
            bad.chat(USER, max_tokens=2)
        good = get_model("openai:embedded", base_url=srv.url, api_key="right")
        assert good.chat(USER, max_tokens=2, seed=0)[0].completion_tokens > 0


def test_unreachable_endpoint_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    model = get_model("openai:x", base_url=url, max_retries=2, backoff=0.01)
    t0 = time.perf_counter()
    with pytest.raises(EndpointUnreachableError) as e:
        model.chat(USER, max_tokens=2)
    msg = str(e.value)
    assert "cannot reach" in msg and "\n" not in msg and "3 attempts" in msg
    assert time.perf_counter() - t0 < 10


def test_transient_errors_are_retried(fake_endpoint) -> None:
    url = fake_endpoint([(503, {"error": {"message": "busy"}}), (429, {}), (200, OK_CHAT)])
    model = get_model("openai:m", base_url=url, backoff=0.01)
    assert model.chat(USER)[0].text == "hi"
    assert fake_endpoint.state["i"] == 3
    assert model.usage.prompt_tokens == 4


def test_persistent_5xx_gives_up(fake_endpoint) -> None:
    url = fake_endpoint([(500, {"error": {"message": "boom"}})])
    model = get_model("openai:m", base_url=url, max_retries=1, backoff=0.01)
    with pytest.raises(EndpointError, match="HTTP 500 after 2 attempts: boom"):
        model.chat(USER)


def test_server_ignoring_n_gets_one_request_per_sample(fake_endpoint) -> None:
    url = fake_endpoint([(200, OK_CHAT)])
    out = get_model("openai:m", base_url=url).chat(USER, n=3, seed=1)
    assert [c.text for c in out] == ["hi"] * 3 and fake_endpoint.state["i"] == 3


def test_empty_output_is_reported_not_hung(fake_endpoint) -> None:
    empty = {"choices": [{"message": {"content": ""}, "finish_reason": "stop"}], "usage": {}}
    [c] = get_model("openai:m", base_url=url_of(fake_endpoint, empty)).chat(USER)
    assert c.text == "" and c.finish_reason == "stop"


def url_of(fake_endpoint, body) -> str:
    return fake_endpoint([(200, body)])
