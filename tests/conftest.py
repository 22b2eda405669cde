import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def write_task(tmp_path: Path):
    """Write a task file from source text and return its path."""

    def write(source: str, name: str = "task.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write
