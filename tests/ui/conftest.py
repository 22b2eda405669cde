import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ui_helpers import program_run, vector_run


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory: pytest.TempPathFactory, _run_key) -> Path:
    """A folder with a finished vector run and a finished program run (written once per session)."""
    folder = tmp_path_factory.mktemp("runs")
    vector_run(folder / "arm.db")
    program_run(folder / "binpack.db")
    (folder / "notes.db").write_text("not a run file")
    return folder
