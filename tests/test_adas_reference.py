"""The pieces of benchmarks/adas_reference.py that need no ADAS checkout: the counting proxy (budget,
model renaming), the data file in the reference's format, and the row's accounting from its events."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import adas_reference as ar
from _openai_meter import MeteredProxy
from evoforge.llm import start_server_in_thread
from evoforge.llm.stub import LatencyStub
from evoforge.tasks.agents.agent_arith import score


def post(url: str, model: str, **extra: object) -> tuple[int, dict]:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}], **extra}).encode()
    req = urllib.request.Request(url + "/chat/completions", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_proxy_renames_the_model_and_refuses_calls_past_the_budget():
    stub = LatencyStub(lambda i: f"reply {i}", latency=0.0)
    with start_server_in_thread(stub) as server:
        status, _ = post(server.url, "gpt-4o-2024-05-13")
        assert status == 404  # the server itself does not know the GPT name
        proxy = MeteredProxy(server.url, stub.spec, budget=2)
        try:
            replies = [post(proxy.url, "gpt-4o-2024-05-13") for _ in range(3)]
            assert [code for code, _ in replies] == [200, 200, 400]
            assert replies[1][1]["choices"][0]["message"]["content"] == "reply 1"
            assert replies[2][1]["error"]["type"] == "budget_exhausted"
            assert (proxy.meter.forwarded, proxy.meter.refused) == (2, 1)
            assert [(r["status"], r["tokens"]) for r in proxy.meter.replies] == [(200, 1), (200, 1)]
            assert ar.calls_summary(proxy.meter.replies)["reply_tokens_mean"] == 1.0
            assert proxy.meter.exhausted.is_set()
            proxy.meter.reset(None)
            assert post(proxy.url, "gpt-3.5-turbo-0125")[0] == 200
            assert proxy.meter.forwarded == 1 and not proxy.meter.exhausted.is_set()
        finally:
            proxy.close()


def test_items_are_written_in_the_reference_format(tmp_path):
    ar.write_items(tmp_path, [{"question": "Mia has 3\tpens.\nHow many?", "answer": "3"}])
    folder = tmp_path / "dataset" / "mgsm"
    assert (folder / "mgsm_en.tsv").read_text() == "Mia has 3 pens. How many?\t3\n"
    others = [p for p in folder.iterdir() if p.name != "mgsm_en.tsv"]
    assert len(others) == len(ar.LANGUAGES) - 1 and all(p.read_text() == "" for p in others)


def test_accounting_of_generated_agents_and_meta_replies():
    events = [
        {"kind": "meta", "ok": True, "has_code": True},
        {"kind": "meta", "ok": True, "has_code": False},
        {"kind": "meta", "ok": False, "error": "JSONDecodeError: Expecting value"},
        {"kind": "agent_call", "ok": False, "error": "JSONDecodeError: Expecting value"},
        {"kind": "agent_call", "ok": True},
        {"kind": "agent_call", "ok": False, "error": "held-out", "searching": False},
        {"kind": "evaluate", "origin": "initial", "ok": True, "accuracy": 0.5, "searching": True},
        {"kind": "evaluate", "origin": "generated", "ok": True, "accuracy": 0.0, "searching": True},
        {"kind": "evaluate", "origin": "generated", "ok": True, "accuracy": 0.4, "searching": True},
        {"kind": "evaluate", "origin": "generated", "ok": False, "error": "NameError: x", "searching": True},
        {"kind": "evaluate", "origin": "generated", "ok": True, "accuracy": 0.9, "searching": False},
    ]
    s = ar.summarise(events)
    assert (s["generated"], s["generated_ran"], s["generated_all_wrong"]) == (3, 2, 1)
    assert s["failure_reasons"] == {"NameError: x": 1}
    assert s["unusable_answers"] == {"JSONDecodeError: Expecting value": 1, "JSON without a 'code' string": 1}
    assert (s["agent_calls_logged"], s["agent_replies_not_json"], s["initial_scored"]) == (2, 1, 1)


def test_heldout_answers_are_rescored_with_evoforges_scorer_in_the_references_order():
    items = [{"question": "A has 2. How many?", "answer": "2"}, {"question": "B has 5. How many?", "answer": "5"}]
    events = [
        {"kind": "best", "name": "CoT", "fitness": 0.5, "generation": "initial"},
        {"kind": "heldout_order", "inputs": ["Solve.\n\nB has 5. How many?", "Solve.\n\nA has 2. How many?"]},
        {"kind": "answer", "target": "5", "prediction": "The count is 5."},  # exact match fails, ours passes
        {"kind": "answer", "target": "2", "prediction": "3"},
        {"kind": "heldout", "ok": True, "accuracy": 0.0},
    ]
    out = ar.heldout_scores(events, items, score)
    assert out["heldout"] == 0.5 and out["heldout_reference_scorer"] == 0.0 and out["best"] == "CoT"
    failed = ar.heldout_scores([events[0], {"kind": "heldout", "ok": False, "error": "boom"}], items, score)
    assert failed["heldout"] == 0.0 and failed["heldout_error"] == "boom"


def test_missing_checkout_is_one_line_and_exit_2(tmp_path, capsys):
    assert ar.main(["--adas-dir", str(tmp_path / "none"), "--calls", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--extract-from" in err[0]
    with pytest.raises(SystemExit):
        ar.main(["--calls", "0"])


def test_table_puts_evoforges_adas_next_to_the_reference(tmp_path):
    ours, ref = tmp_path / "agents.jsonl", tmp_path / "ref.jsonl"
    base = {"task": "agent-arith", "calls": 300, "model": "embedded", "generated": 4, "generated_ran": 3}
    ours.write_text(
        json.dumps({**base, "system": "adas", "heldout": 0.5, "search_seconds": 100})
        + "\n"
        + json.dumps({**base, "system": "dgm", "heldout": 0.9, "search_seconds": 1})
        + "\n"
    )
    rows = [{**base, "system": "adas-reference", "heldout": h, "search_seconds": 300} for h in (0.2, 0.4)]
    ref.write_text("".join(json.dumps(r) + "\n" for r in rows))
    t = ar.table(ref, ours)
    assert len(t.rows) == 2  # dgm is left out
    assert t.find(system="adas")["held-out"] == "0.500"
    got = t.find(system="adas-reference")
    assert (got["seeds"], got["held-out"], got["search s"], got["ran"]) == ("2", "0.300", "300", "6/8")


def test_json_mode_requests_go_to_the_json_answerer_and_count():
    stub = LatencyStub(lambda i: "free text", latency=0.0)
    seen: list[dict] = []

    def answer(body: dict) -> dict:
        seen.append(body)
        if body["messages"][0]["content"] == "hi" and len(seen) > 1:
            raise ValueError("Requested tokens exceed context window")
        reply = {"message": {"role": "assistant", "content": '{"a": 1}'}, "finish_reason": "stop", "index": 0}
        return {"choices": [reply], "usage": {"completion_tokens": 3}}

    with start_server_in_thread(stub) as server:
        proxy = MeteredProxy(server.url, stub.spec, budget=3, max_tokens=64, json_mode=answer)
        try:
            code, reply = post(proxy.url, "gpt-4o", response_format={"type": "json_object"}, max_tokens=4096)
            assert code == 200 and reply["choices"][0]["message"]["content"] == '{"a": 1}'
            assert seen[0]["max_tokens"] == 64 and seen[0]["model"] == stub.spec
            code, reply = post(proxy.url, "gpt-4o", response_format={"type": "json_object"})
            assert code == 400 and "context window" in reply["error"]["message"]
            code, reply = post(proxy.url, "gpt-4o")  # no JSON asked: the server answers
            assert code == 200 and reply["choices"][0]["message"]["content"] == "free text"
            assert proxy.meter.forwarded == 3 and len(seen) == 2
            assert sorted(r["status"] for r in proxy.meter.replies) == [200, 200, 400]
        finally:
            proxy.close()
