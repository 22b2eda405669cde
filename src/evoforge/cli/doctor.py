"""``evoforge doctor``: which isolation is in force for untrusted code, the versions that matter and which
embedded models are installed."""

from __future__ import annotations

import platform
import sys

import click


def report() -> list[tuple[str, str]]:
    """(label, value) rows: the sandbox in force, then Python, numpy and the platform."""
    from evoforge.isolation import bwrap

    status = bwrap.probe()
    rows = [("isolation", status.describe())]
    if status.available:
        rows.append(("bwrap probe", "ok: user, pid, net, ipc, uts and cgroup namespaces; uid 65534; read-only /"))
        rows.append(("--sandbox", "available: task evaluators can run inside bwrap under the pool executor"))
    else:
        rows.append(("--sandbox", "unavailable (needs bwrap)"))
    rows.append(("python", f"{platform.python_version()} ({sys.executable})"))
    try:
        import numpy

        rows.append(("numpy", numpy.__version__))
    except ImportError:
        rows.append(("numpy", "not installed"))
    rows.append(("platform", platform.platform()))
    rows += model_rows()
    return rows


def model_rows() -> list[tuple[str, str]]:
    """One row per embedded model: installed or not (and the extra that installs it), and its size."""
    from evoforge.llm.model_files import PARTED, installed

    rows = []
    for name, model in PARTED.items():
        size = f"{model.size / 2**20:,.0f} MiB GGUF"
        state = "installed" if installed(model) else f"not installed ({model.install_hint()})"
        rows.append((f"embedded:{name}", f"{state}; {size}, sha256-checked before its first load"))
    return rows


@click.command()
def doctor() -> None:
    """Report which isolation protects runs of untrusted code (bwrap or the fallback guard)."""
    for label, value in report():
        click.echo(f"{label + ':':<21} {value}")
