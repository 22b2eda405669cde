import textwrap
from pathlib import Path

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Name the random test order's seed (pytest-randomly) even under -q, so that a failure can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.pluginmanager.hasplugin("randomly"):
        terminalreporter.write_line(f"tests ran in random order; replay it with --randomly-seed={seed}")


@pytest.fixture
def write_task(tmp_path: Path):
    """Write a task file from source text and return its path."""

    def write(source: str, name: str = "task.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write


@pytest.fixture(autouse=True, scope="session")
def _run_key(tmp_path_factory: pytest.TempPathFactory):
    """Sign the tests' run files with a key of their own, not the user's (~/.config/evoforge/run-key)."""
    import os

    path = tmp_path_factory.mktemp("run-key") / "run-key"
    previous = os.environ.get("EVOFORGE_KEY_FILE")
    os.environ["EVOFORGE_KEY_FILE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("EVOFORGE_KEY_FILE", None)
    else:
        os.environ["EVOFORGE_KEY_FILE"] = previous
