"""The dashboard parses numeric query parameters strictly (ASCII digits only): anything else is a 400
with a one-line message, never a 500 with a traceback ('²'.isdigit() is true, int('²') raises)."""

from __future__ import annotations

import io
import json

import pytest

from evoforge import evolve
from evoforge.readers.ui.server import Dashboard

SPHERE = "SEED = [1.0, 1.0]\ndef evaluate(g):\n    return {'score': -sum(x * x for x in g)}\n"


def _call(app, path: str, query: str) -> tuple[str, dict]:
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_HOST": "127.0.0.1:8765",
        "wsgi.input": io.BytesIO(),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
    }
    body = b"".join(app(environ, start_response))
    return seen["status"], json.loads(body)


@pytest.fixture(scope="module")
def app(tmp_path_factory, _run_key):
    folder = tmp_path_factory.mktemp("dash")
    task = folder / "task.py"
    task.write_text(SPHERE)
    evolve(str(task), "ga", budget=16, out=folder / "run.db", executor="inprocess", recipe_params={"population": 8})
    return Dashboard(folder)


@pytest.mark.parametrize(
    "value",
    [
        "%C2%B2",  # superscript two: isdigit() is true
        "%D9%A1%D9%A2",  # Arabic-Indic digits
        "%EF%BC%91",  # fullwidth digit one
        "-1",
        "+1",
        "1e3",
        "%201",
        "1%00",
        "9" * 19,
        "abc",
    ],
)
def test_non_ascii_or_malformed_ids_are_400(app, value):
    status, body = _call(app, "/api/candidate", f"run=run.db&id={value}")
    assert status.startswith("400"), (status, body)
    assert "\n" not in body["error"] and "id" in body["error"]


def test_a_plain_id_still_works(app):
    status, body = _call(app, "/api/candidate", "run=run.db&id=1")
    assert status == "200 OK" and "genome" in body
    status, _ = _call(app, "/api/candidate", "run=run.db&id=" + "9" * 18)
    assert status.startswith("404")
