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


@pytest.fixture
def weights_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Checkpoints and the tiny test model under ``tmp_path``, never the user's folders."""
    d = tmp_path / "weights"
    monkeypatch.setenv("EVOFORGE_WEIGHTS_DIR", str(d))
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))  # the tiny model is built here
    return d


@pytest.fixture
def evoforge_cli(tmp_path: Path):
    """Start ``python -m evoforge ARGS -q`` in a subprocess (its cache under ``tmp_path``); a ``run``
    gets ``--model openai:scripted`` at ``server``'s URL, and ``--task-model`` too with ``task_model``."""
    import os
    import subprocess
    import sys

    def start(*args: object, server: object = None, task_model: bool = False) -> subprocess.Popen:
        env = {**os.environ, "EVOFORGE_CACHE_DIR": str(tmp_path / "cache")}
        extra: list[str] = []
        if server is not None and args[0] == "run":
            url = server.url  # type: ignore[attr-defined]
            extra = ["--model", "openai:scripted", "--base-url", url]
            extra += ["--task-model", "openai:scripted", "--task-base-url", url] if task_model else []
        return subprocess.Popen(
            [sys.executable, "-m", "evoforge", *map(str, args), *extra, "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip

    return start


@pytest.fixture
def stored_rows():
    """``read(path, *fields)``: each stored candidate's ``fields`` as a tuple; with ``being_written``,
    ``[]`` while the run file does not exist or cannot be opened yet."""

    def read(path: Path, *fields: str, being_written: bool = False) -> list[tuple]:
        from evoforge import RunStore

        try:
            store = RunStore.open(path)
        except Exception:
            if being_written:
                return []
            raise
        try:
            return [tuple(getattr(c, f) for f in fields) for c in store.candidates()]
        finally:
            store.close()

    return read
