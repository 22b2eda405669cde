"""Run files carry no state a reader unpickles: show/plot read JSON, resume loads only a checkpoint this
user's run key signed, and a forged or foreign checkpoint is refused in one line without being loaded."""

import json
import os
import pickle
import sqlite3
import stat

import pytest

from evoforge import RunStore, evolve

SPHERE = """
SEED = [2.0] * 4
def evaluate(genome):
    return {"score": -sum(x * x for x in genome)}
"""


class _Payload:
    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _make_run(write_task, path, budget=64):
    task = write_task(SPHERE)
    evolve(task, "ga", budget=budget, seed=3, out=path, executor="inprocess", recipe_params={"population": 16})
    return task


def _reopen_for_resume(path, budget=128):
    """Make a finished run resumable again, with more budget (a genuine continuation)."""
    conn = sqlite3.connect(path)
    config = json.loads(conn.execute("SELECT value FROM meta WHERE key='config'").fetchone()[0])
    config["budget"] = budget
    with conn:
        conn.execute("UPDATE meta SET value=? WHERE key='config'", (json.dumps(config),))
        conn.execute("UPDATE meta SET value='\"running\"' WHERE key='status'")
    conn.close()


def _forge(path, marker):
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE checkpoint SET recipe_state=?", (pickle.dumps(_Payload(f"touch {marker}")),))
    conn.close()


def test_genuine_checkpoint_resumes(write_task, tmp_path, evoforge):
    db = tmp_path / "run.db"
    _make_run(write_task, db)
    _reopen_for_resume(db)
    proc = evoforge("resume", db, "-q")
    assert proc.returncode == 0, proc.stderr
    store = RunStore.open(db)
    assert store.last_batch()["evaluations"] == 128 and store.meta("status") == "finished"
    store.close()


def test_forged_checkpoint_is_not_executed_by_show_or_resume(write_task, tmp_path, evoforge, one_error_line):
    db, marker = tmp_path / "run.db", tmp_path / "pwned"
    _make_run(write_task, db)
    _reopen_for_resume(db)
    _forge(db, marker)
    shown = evoforge("show", db)
    assert shown.returncode == 0 and "lineage of the best" in shown.stdout, shown.stderr
    assert not marker.exists()
    pytest.importorskip("matplotlib")
    plotted = evoforge("plot", db, "--out", tmp_path / "p.png")
    assert plotted.returncode == 0 and not marker.exists(), plotted.stderr
    error = one_error_line(evoforge("resume", db, "-q"))
    assert "was not written by evoforge for this user (signature mismatch)" in error
    assert not marker.exists()


def test_checkpoint_signed_with_another_users_key_is_refused(write_task, tmp_path, evoforge, one_error_line):
    db = tmp_path / "run.db"
    _make_run(write_task, db)
    _reopen_for_resume(db)
    other = dict(os.environ, EVOFORGE_KEY_FILE=str(tmp_path / "someone-else" / "run-key"))
    assert "signature mismatch" in one_error_line(evoforge("resume", db, "-q", env=other))
    (tmp_path / "someone-else").mkdir()
    (tmp_path / "someone-else" / "run-key").write_bytes(os.urandom(32))
    assert "signature mismatch" in one_error_line(evoforge("resume", db, "-q", env=other))


def test_checkpoint_moved_from_another_run_is_refused(write_task, tmp_path, evoforge, one_error_line):
    """A signature binds the state to its run: this user's own state pasted into another run fails."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    _make_run(write_task, a)
    _make_run(write_task, b)
    _reopen_for_resume(b)
    src = sqlite3.connect(a)
    state, signature = src.execute("SELECT recipe_state, signature FROM checkpoint").fetchone()
    src.close()
    dst = sqlite3.connect(b)
    with dst:
        dst.execute("UPDATE checkpoint SET recipe_state=?, signature=?", (state, signature))
    dst.close()
    assert "signature mismatch" in one_error_line(evoforge("resume", b, "-q"))


def test_old_unsigned_run_file_is_shown_but_not_resumed(write_task, tmp_path, evoforge, one_error_line):
    db = tmp_path / "old.db"
    _make_run(write_task, db)
    _reopen_for_resume(db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
        conn.execute("UPDATE checkpoint SET signature=NULL")
    conn.close()
    shown = evoforge("show", db)
    assert shown.returncode == 0 and "lineage of the best" in shown.stdout, shown.stderr
    assert "older evoforge" in one_error_line(evoforge("resume", db, "-q"))


def test_run_key_is_private_and_outside_the_run_file(write_task, tmp_path, monkeypatch):
    key = tmp_path / "cfg" / "run-key"
    monkeypatch.setenv("EVOFORGE_KEY_FILE", str(key))
    db = tmp_path / "run.db"
    _make_run(write_task, db)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    assert key.read_bytes() not in db.read_bytes()


def test_report_text_comes_from_the_store_not_the_pickle(write_task, tmp_path, evoforge):
    db = tmp_path / "run.db"
    _make_run(write_task, db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('report', ?)", (json.dumps("ROUND TABLE"),))
        conn.execute("DELETE FROM checkpoint")
    conn.close()
    shown = evoforge("show", db)
    assert shown.returncode == 0 and "ROUND TABLE" in shown.stdout, shown.stderr


def test_plot_data_is_stored_as_json_at_the_end_of_a_run(tmp_path):
    db = tmp_path / "me.db"
    evolve("sphere-projection", "map-elites", budget=2000, out=db)
    store = RunStore.open(db)
    view = store.meta("view")
    store.close()
    grid = view["grid"]
    filled = sum(v is not None for row in grid["heatmap"] for v in row)
    assert view["plot_extra"] is False and grid["elites"] == filled > 10
    assert grid["coverage"] == pytest.approx(filled / (len(grid["heatmap"]) * len(grid["heatmap"][0])))
