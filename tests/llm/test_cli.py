"""`models` and `serve` click commands: exit codes and one-line errors."""

from __future__ import annotations

from click.testing import CliRunner
from llm_helpers import closed_port, needs_embedded

from evoforge.llm.cli import models, serve


def test_models_unreachable_base_url_exits_nonzero_with_one_line() -> None:
    r = CliRunner().invoke(models, ["--base-url", f"http://127.0.0.1:{closed_port()}/v1"])
    assert r.exit_code != 0
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot reach" in lines[0] and "Traceback" not in r.output


def test_models_unknown_spec_exits_nonzero() -> None:
    r = CliRunner().invoke(models, ["--model", "nope"])
    assert r.exit_code != 0 and "unknown model 'nope'" in r.output


@needs_embedded
def test_models_checks_our_server(server) -> None:
    r = CliRunner().invoke(models, ["--model", "openai", "--base-url", server.url])
    assert r.exit_code == 0, r.output
    assert "ok" in r.output and server.url in r.output


@needs_embedded
def test_models_checks_embedded(embedded) -> None:
    r = CliRunner().invoke(models, ["--model", "embedded"])
    assert r.exit_code == 0, r.output
    assert "SmolLM2" in r.output


@needs_embedded
def test_serve_on_a_busy_port_is_one_clear_error(server) -> None:
    r = CliRunner().invoke(serve, ["--port", str(server.port)])
    assert r.exit_code != 0 and "cannot listen" in r.output and "Traceback" not in r.output
