"""`evoforge doctor` reports the isolation in force; --sandbox is refused where it cannot work."""

import os
import subprocess
import sys

import pytest

from evoforge.isolation import bwrap


def evoforge(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_doctor_reports_bwrap_or_the_fallback():
    bwrap.probe.cache_clear()
    out = evoforge("doctor")
    assert out.returncode == 0, out.stderr
    expected = f"bwrap {bwrap.probe().version}" if bwrap.probe().available else "fallback: Python guard only"
    assert expected in out.stdout and "numpy:" in out.stdout and "python:" in out.stdout
    assert "embedded:coder-1.5b:" in out.stdout and "1,066 MiB GGUF" in out.stdout  # each embedded model, its size
    forced = evoforge("doctor", EVOFORGE_NO_BWRAP="1")
    assert forced.returncode == 0
    assert "fallback: Python guard only -- not a security boundary" in forced.stdout


def test_sandbox_needs_the_pool_and_bwrap(tmp_path):
    out = evoforge(
        "run",
        "ga",
        "--task",
        "sphere",
        "--budget",
        "8",
        "--sandbox",
        "-e",
        "inprocess",
        "-q",
        "--out",
        str(tmp_path / "a.db"),
    )
    assert out.returncode != 0 and "--sandbox needs the pool executor" in out.stderr + out.stdout
    assert not (tmp_path / "a.db").exists()
    out = evoforge(
        "run",
        "ga",
        "--task",
        "sphere",
        "--budget",
        "8",
        "--sandbox",
        "-q",
        "--out",
        str(tmp_path / "b.db"),
        EVOFORGE_NO_BWRAP="1",
    )
    assert out.returncode != 0 and "--sandbox needs bubblewrap" in out.stderr + out.stdout
    assert not (tmp_path / "b.db").exists()


@pytest.mark.skipif(not bwrap.probe().available, reason="bwrap unavailable")
def test_a_sandboxed_run_finishes(tmp_path):
    out = evoforge(
        "run", "ga", "--task", "sphere", "--budget", "16", "--sandbox", "-q", "--out", str(tmp_path / "c.db")
    )
    assert out.returncode == 0, out.stderr + out.stdout
    assert "best score" in out.stdout
