"""The command line: the main paths work and every kind of bad input is one clear line, exit != 0."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evoforge import RunStore


def evoforge(*args, cwd=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


def assert_clean_error(proc, *needles):
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_run_show_plot_list(tmp_path):
    db = tmp_path / "run.db"
    proc = evoforge(
        "run",
        "regularized-evolution",
        "--task",
        "sphere",
        "--budget",
        120,
        "--seed",
        1,
        "--out",
        db,
        "--set",
        "population=20",
        "--set",
        "task.dim=4",
        "-q",
    )
    assert proc.returncode == 0, proc.stderr
    assert "best score" in proc.stdout
    store = RunStore.open(db)
    assert store.count() == 120 and store.integrity() == "ok"
    assert len(store.candidate(0).genome) == 4
    assert store.config["recipe_params"] == {"population": "20"}
    store.close()
    shown = evoforge("show", db)
    assert shown.returncode == 0 and "lineage of the best" in shown.stdout and "finished" in shown.stdout
    plotted = evoforge("plot", db, "--out", tmp_path / "p.png")
    assert plotted.returncode == 0 and (tmp_path / "p.png").stat().st_size > 10_000
    listed = evoforge("list")
    assert "regularized-evolution" in listed.stdout and "rastrigin" in listed.stdout


def test_config_file_uses_flag_keys(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'task = "sphere"\nbudget = 64\nseed = 3\nexecutor = "inprocess"\nbatch-size = 16\n'
        f'out = "{tmp_path / "c.db"}"\n[set]\nsigma = 0.1\n'
    )
    proc = evoforge("run", "ga", "--config", cfg, "-q")
    assert proc.returncode == 0, proc.stderr
    store = RunStore.open(tmp_path / "c.db")
    assert store.config["seed"] == 3 and store.config["batch_size"] == 16 and store.count() == 64
    store.close()
    # flags win over the file
    proc = evoforge("run", "ga", "--config", cfg, "--budget", 32, "--out", tmp_path / "d.db", "-q")
    assert proc.returncode == 0 and RunStore.open(tmp_path / "d.db").count() == 32


@pytest.mark.parametrize(
    "args, needle",
    [
        (["run", "nope", "--task", "sphere"], "unknown recipe 'nope'"),
        (["run", "ga", "--task", "nope"], "unknown task 'nope'"),
        (["run", "ga", "--task", "sphere", "--set", "bogus=1"], "no parameter bogus"),
        (["run", "ga", "--task", "sphere", "--set", "sigma=abc"], "sigma must be a finite float >= 0, got 'abc'"),
        (["run", "ga", "--task", "sphere", "--set", "task.size=3"], "has no option 'size' (its options: dim, start)"),
        (["run", "ga", "--task", "sphere", "--set", "task.dim=abc"], "option dim='abc' must be an integer"),
        (["run", "ga", "--task", "sphere", "--set", "task.dim=0"], "option dim=0 rejected: dim must be >= 1"),
        (["run", "ga", "--task", "sphere", "--budget", "0"], "budget must be a positive integer"),
        (["run", "ga", "--task", "sphere", "--bogus-flag"], "No such option"),
        (["run", "ga", "--task", "sphere", "--executor", "slurm"], "Invalid value"),
        (["show", "missing.db"], "run file not found"),
        (["resume", "missing.db"], "run file not found"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, args, needle):
    assert_clean_error(evoforge(*args, cwd=tmp_path), needle)
    assert not (tmp_path / "runs").exists(), "a failed start must leave no run file"


def test_broken_task_files(tmp_path):
    (tmp_path / "syntax.py").write_text("SEED = [1\ndef evaluate(g): return 1\n")
    assert_clean_error(evoforge("run", "ga", "--task", tmp_path / "syntax.py", cwd=tmp_path), "is broken", "line")
    (tmp_path / "noseed.py").write_text("def evaluate(g): return 1\n")
    assert_clean_error(evoforge("run", "ga", "--task", tmp_path / "noseed.py", cwd=tmp_path), "defines no SEED")
    (tmp_path / "text.py").write_text("SEED = 'hello'\ndef evaluate(g): return 1\n")
    assert_clean_error(
        evoforge("run", "ga", "--task", tmp_path / "text.py", cwd=tmp_path), "needs a vector or bits genome"
    )
    (tmp_path / "imports.py").write_text("import not_a_module_xyz\nSEED=[1]\n")
    assert_clean_error(evoforge("run", "ga", "--task", tmp_path / "imports.py", cwd=tmp_path), "not_a_module_xyz")


def test_bad_config_files(tmp_path):
    bad_key = tmp_path / "a.toml"
    bad_key.write_text('task = "sphere"\nbudgett = 3\n')
    assert_clean_error(evoforge("run", "ga", "--config", bad_key, cwd=tmp_path), "unknown key budgett")
    bad_toml = tmp_path / "b.toml"
    bad_toml.write_text("task = \n")
    assert_clean_error(evoforge("run", "ga", "--config", bad_toml, cwd=tmp_path), "not valid TOML")


def test_foreign_corrupt_and_finished_run_files(tmp_path):
    (tmp_path / "text.db").write_text("hello, not sqlite" * 100)
    assert_clean_error(evoforge("resume", tmp_path / "text.db"), "not an evoforge run file")
    import sqlite3

    conn = sqlite3.connect(tmp_path / "other.db")
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    assert_clean_error(evoforge("show", tmp_path / "other.db"), "not an evoforge run file")
    db = tmp_path / "done.db"
    assert evoforge("run", "ga", "--task", "sphere", "--budget", 32, "--out", db, "-q").returncode == 0
    assert_clean_error(evoforge("resume", db), "already finished")
    assert_clean_error(evoforge("run", "ga", "--task", "sphere", "--out", db), "already exists")
    # a damaged page: the file is refused, not half-read
    data = bytearray(db.read_bytes())
    data[4096 : 3 * 4096] = b"\xff" * (2 * 4096)
    db.write_bytes(bytes(data))
    for f in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        f.unlink(missing_ok=True)
    proc = evoforge("show", db)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def _has_committed_a_batch(db) -> bool:
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM batches").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet
        return False


def test_a_running_run_cannot_be_resumed_twice(tmp_path):
    task = tmp_path / "slow.py"
    task.write_text("import time\nSEED = [1.0]\ndef evaluate(g):\n    time.sleep(0.05)\n    return -g[0] ** 2\n")
    db = tmp_path / "busy.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "evoforge", "run", "ga", "--task", str(task), "--budget", "400", "--out", db, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        import time

        deadline = time.time() + 60
        while not _has_committed_a_batch(db) and time.time() < deadline:  # by then the run holds its lock
            time.sleep(0.1)
        assert_clean_error(evoforge("resume", db), "in use by another evoforge process")
    finally:
        proc.kill()
        proc.wait()
    assert RunStore.open(db).integrity() == "ok"
