"""Readers never import, load or run what a run file names, and ``resume`` checks the signature before it
does: a run file whose task is a hostile task file (absolute or relative path) or any importable module
is plotted without loading it (the task's drawing is JSON stored by the run), and a forged, unsigned or
moved run file is refused by ``resume`` in one line before its task is loaded."""

import json
import sqlite3
import subprocess
import sys

import pytest
from security_helpers import run_cli

from evoforge import RunStore, evolve

SPHERE = """
SEED = [2.0] * 4
def evaluate(genome):
    return {"score": -sum(x * x for x in genome)}
"""

# imported, it leaves a marker next to itself; it also draws itself and has 2-D descriptors, as the
# hard maze does, so a reader looking for a task's drawing would load it
HOSTILE = """
from pathlib import Path
Path(__file__).with_name("pwned").write_text("imported")
SEED = [0.5, 0.5]
DESCRIPTOR_BOUNDS = [(0.0, 1.0), (0.0, 1.0)]
def evaluate(genome):
    return {"score": -sum(x * x for x in genome), "descriptors": list(genome)}
def draw(ax):
    Path(__file__).with_name("pwned-draw").write_text("drawn")
"""


def _run(write_task, path, budget=64):
    task = write_task(SPHERE)
    evolve(task, "ga", budget=budget, seed=3, out=path, executor="inprocess", recipe_params={"population": 16})


def _edit(path, *, task=None, running=False, sql=()):
    """Rewrite a run file by hand, as someone handing it over could."""
    conn = sqlite3.connect(path)
    config = json.loads(conn.execute("SELECT value FROM meta WHERE key='config'").fetchone()[0])
    if task is not None:
        config["task"] = task
    config["budget"] = 128
    with conn:
        conn.execute("UPDATE meta SET value=? WHERE key='config'", (json.dumps(config),))
        if running:
            conn.execute("UPDATE meta SET value='\"running\"' WHERE key='status'")
        for statement in sql:
            conn.execute(statement)
    conn.close()


@pytest.fixture
def hostile(tmp_path):
    """The hostile task file in its own folder; the markers it leaves appear in that folder."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "evil_task.py").write_text(HOSTILE)
    (folder / "evil_module.py").write_text(HOSTILE)
    return folder


def _no_marker(folder):
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("pwned")) == []


@pytest.mark.parametrize("ref", ["absolute", "relative", "module"])
def test_plot_does_not_import_the_task_a_run_file_names(write_task, tmp_path, hostile, ref):
    pytest.importorskip("matplotlib")
    db = tmp_path / "run.db"
    _run(write_task, db)
    name = {"absolute": str(hostile / "evil_task.py"), "relative": "evil_task.py", "module": "evil_module"}[ref]
    _edit(db, task=name)
    png = tmp_path / "p.png"
    proc = run_cli("plot", db, "--out", png, cwd=hostile)  # the folder a relative name or a module is found in
    assert proc.returncode == 0, proc.stderr
    assert png.stat().st_size > 10_000 and "Traceback" not in proc.stderr
    _no_marker(hostile)


def test_plot_does_not_import_a_module_named_as_the_task(write_task, tmp_path):
    pytest.importorskip("matplotlib")
    db = tmp_path / "run.db"
    _run(write_task, db)
    _edit(db, task="this")  # importing it prints the Zen of Python
    proc = run_cli("plot", db, "--out", tmp_path / "p.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Zen of Python" not in proc.stdout + proc.stderr


def test_hard_maze_plot_draws_the_stored_walls_without_loading_the_task(tmp_path):
    """The maze's walls, start and goal are JSON in the run file; plot draws them without the task."""
    pytest.importorskip("matplotlib")
    db = tmp_path / "maze.db"
    evolve("hard-maze", "novelty-search", budget=300, executor="inprocess", timeout=None, out=db)
    store = RunStore.open(db)
    drawing = store.meta("drawing")
    store.close()
    from evoforge.tasks.vectors.hard_maze import GOAL, GOAL_RADIUS, WALLS

    lines = [item["xy"] for item in drawing["items"] if item["type"] == "line"]
    assert all([[x1, y1], [x2, y2]] in lines for x1, y1, x2, y2 in WALLS)
    goal = [item for item in drawing["items"] if item["type"] == "ellipse"]
    assert [(g["xy"], g["width"]) for g in goal] == [(list(GOAL), 2 * GOAL_RADIUS)]
    script = (
        "import sys\nimport evoforge.core.task as T\n"
        "def refused(*args, **kw):\n    raise AssertionError('a task was loaded')\n"
        "T.load_task = T._fresh_module = refused\n"
        "from evoforge.readers.plot import plot_run\nfrom evoforge.store.run_file import RunStore\n"
        f"store = RunStore.open({str(db)!r}); plot_run(store, {str(tmp_path / 'maze.png')!r}); store.close()\n"
        "loaded = [m for m in sys.modules if m.startswith('evoforge.tasks')]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "maze.png").stat().st_size > 10_000


FORGERIES = {
    "unsigned": ["UPDATE checkpoint SET signature=NULL"],
    "forged signature": ["UPDATE checkpoint SET signature='" + "0" * 64 + "'"],
    "no checkpoint": ["DELETE FROM checkpoint", "DELETE FROM meta WHERE key='run_signature'"],
    "no checkpoint, forged run signature": [
        "DELETE FROM checkpoint",
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('run_signature', '\"" + "0" * 64 + "\"')",
    ],
    "old schema": ["UPDATE meta SET value='1' WHERE key='schema_version'", "UPDATE checkpoint SET signature=NULL"],
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_resume_refuses_a_forged_run_file_before_loading_its_task(
    write_task, tmp_path, hostile, forgery, one_error_line
):
    db = tmp_path / "run.db"
    _run(write_task, db)
    sql = FORGERIES[forgery]
    _edit(db, task=str(hostile / "evil_task.py"), running=True, sql=sql)
    error = one_error_line(run_cli("resume", db, "-q", cwd=tmp_path))
    assert "signature" in error or "older evoforge" in error
    _no_marker(hostile)


def test_a_run_killed_before_its_first_commit_still_resumes(write_task, tmp_path):
    """No checkpoint yet: the signature written when the run file was created vouches for it."""
    db = tmp_path / "run.db"
    _run(write_task, db)
    _edit(db, running=True, sql=["DELETE FROM checkpoint", "DELETE FROM batches", "DELETE FROM candidates"])
    proc = run_cli("resume", db, "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    store = RunStore.open(db)
    assert store.last_batch()["evaluations"] == 128 and store.meta("status") == "finished"
    store.close()
