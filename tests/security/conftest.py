import subprocess
import sys
from pathlib import Path

import pytest

from evoforge.isolation import bwrap


def _evoforge(*args, cwd=None, env=None, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def _one_error_line(proc) -> str:
    """The single 'error: ...' line of a refused command (no traceback), for assertions on its text."""
    assert proc.returncode != 0, proc.stdout + proc.stderr
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


@pytest.fixture
def evoforge():
    return _evoforge


@pytest.fixture
def one_error_line():
    return _one_error_line


@pytest.fixture
def sidecars():
    """Files a command left next to ``path`` (-wal, -shm, -journal)."""

    def found(path: Path) -> list[str]:
        return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))

    return found


@pytest.fixture(params=["bwrap", "guard"])
def isolation(request, monkeypatch):
    """Run a test once behind bwrap and once with the fallback guard alone."""
    if request.param == "bwrap":
        monkeypatch.delenv("EVOFORGE_NO_BWRAP", raising=False)
    else:
        monkeypatch.setenv("EVOFORGE_NO_BWRAP", "1")
    bwrap.probe.cache_clear()
    if request.param == "bwrap" and not bwrap.probe().available:
        pytest.skip(f"bwrap unavailable: {bwrap.probe().detail}")
    yield request.param
    bwrap.probe.cache_clear()
