"""show, plot and resume only read a file that is not an evoforge run: refused in one line, with the
file's bytes unchanged and nothing created next to it (no WAL switch, no new database)."""

import hashlib
import sqlite3
from pathlib import Path

import pytest

from evoforge import RunStore, evolve


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def foreign(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('format', '\"something-else\"')")
    conn.close()
    assert Path(path).read_bytes()[18:20] == b"\x01\x01"  # rollback journal mode
    return path


@pytest.mark.parametrize("command", ["show", "plot", "resume"])
def test_foreign_sqlite_file_is_left_alone(foreign, command, evoforge, one_error_line, sidecars):
    before = _digest(foreign)
    assert "not an evoforge run file" in one_error_line(evoforge(command, foreign))
    assert _digest(foreign) == before and sidecars(foreign) == []
    assert Path(foreign).read_bytes()[18:20] == b"\x01\x01"  # still not WAL


@pytest.mark.parametrize("command", ["show", "plot", "resume"])
def test_empty_and_missing_files_stay_as_they_are(tmp_path, command, evoforge, one_error_line, sidecars):
    empty, missing = tmp_path / "empty.db", tmp_path / "missing.db"
    empty.touch()
    assert "not an evoforge run file" in one_error_line(evoforge(command, empty))
    assert empty.stat().st_size == 0 and sidecars(empty) == []
    assert "run file not found" in one_error_line(evoforge(command, missing))
    assert not missing.exists() and sidecars(missing) == []


def test_reading_a_run_does_not_change_it(write_task, tmp_path, evoforge):
    task = write_task("SEED = [1.0, 1.0]\ndef evaluate(g):\n    return {'score': -sum(x * x for x in g)}\n")
    db = tmp_path / "run.db"
    evolve(task, "ga", budget=32, out=db, executor="inprocess", recipe_params={"population": 8})
    before = _digest(db)
    assert evoforge("show", db).returncode == 0
    store = RunStore.open(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.conn.execute("DELETE FROM candidates")
    store.close()
    assert _digest(db) == before
