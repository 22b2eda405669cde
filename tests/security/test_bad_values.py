"""Every flag and config-file value is checked before a run file exists: a bad one is one line naming
it, exit code 2, no traceback, and nothing written at --out (nor under runs/)."""

from __future__ import annotations

import json
import math

import pytest
from security_helpers import run_cli

from evoforge.cli import main
from evoforge.core.errors import ConfigError
from evoforge.run import api

BASE = ["run", "ga", "--task", "sphere", "--budget", "10", "-q"]

# (extra flags, text the error line must contain)
BAD_FLAGS = [
    (["--memory-mb", "-5"], "--memory-mb"),
    (["--memory-mb", str(2**60)], "--memory-mb"),
    (["--checkpoint-every", "-1"], "--checkpoint-every"),
    (["--checkpoint-every", "nan"], "--checkpoint-every"),
    (["--max-calls", "-1"], "--max-calls"),
    (["--max-tokens", "-1"], "--max-tokens"),
    (["--max-cost", "-1"], "--max-cost"),
    (["--max-cost", "nan"], "--max-cost"),
    (["--max-cost", "inf"], "--max-cost"),
    (["--timeout", "nan"], "--timeout"),
    (["--timeout", "inf"], "--timeout"),
    (["--timeout", "0"], "--timeout"),
    (["--timeout", "1e300"], "--timeout"),
    (["--seconds", "nan"], "--seconds"),
    (["--seconds", "-1"], "--seconds"),
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**64)], "at most"),
    (["--workers", "0"], "--workers"),
    (["--workers", "100000"], "--workers"),
    (["--batch-size", "0"], "--batch-size"),
    (["--generations", "0"], "--generations"),
    (["--budget", "-3"], "--budget"),
    (["--model", "nosuch:x"], "unknown model 'nosuch:x'"),
    (["--model", "embedded:big"], "unknown embedded model 'big'"),
    (["--model", "hf:"], "hf needs a path"),
    (["--model", "hf:/no/such/dir"], "/no/such/dir"),
    (["--model", "gguf:"], "gguf needs a path"),
    (["--model", "gguf:/no/such/model.gguf"], "no GGUF file at /no/such/model.gguf"),
    (["--model", "gguf:/etc/passwd"], "is not a GGUF file"),
    (["--model", "openai", "--base-url", "foo"], "--base-url"),
    (["--model", "openai", "--base-url", "ftp://host/v1"], "--base-url"),
    (["--model", "openai", "--base-url", "http://"], "--base-url"),
    (["--model", "openai", "--base-url", "http://host:99999/v1"], "--base-url"),
    (["--base-url", "http://127.0.0.1:1/v1"], "only applies to openai"),
    (["--executor", "slurm"], "--executor"),
    (["--budget", "abc"], "--budget"),
]

# config-file text (TOML, or JSON when it starts with "{"), text the error line must contain
BAD_FILES = [
    ('seed = "abc"\n', "seed"),
    ('memory-mb = "abc"\n', "memory-mb"),
    ("memory_mb = -5\n", "memory-mb"),
    ("timeout = nan\n", "timeout"),
    ("seconds = inf\n", "seconds"),
    ("max-cost = -0.5\n", "max-cost"),
    ("max-calls = 1.5\n", "max-calls"),
    ("budget = true\n", "budget"),
    ('workers = "2"\n', "workers"),
    ("checkpoint-every = -1\n", "checkpoint-every"),
    ('executor = "slurm"\n', "executor"),
    ('model = "nosuch:x"\n', "nosuch:x"),
    ('model = "openai"\nbase-url = "not a url"\n', "base-url"),
    ("out = 5\n", "out"),
    ('{"seed": "abc"}', "seed"),
    ('{"timeout": NaN}', "timeout"),
    ('{"max-tokens": -1}', "max-tokens"),
]


def assert_refused(code: int, stderr: str, needle: str, tmp_path, out) -> None:
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("see: ")]
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    assert needle in lines[0], lines[0]
    assert not out.exists() and not out.parent.exists(), "a refused run left a file or folder behind"
    assert not (tmp_path / "runs").exists(), "a refused run left a file under runs/"


def run_in_process(args, monkeypatch, tmp_path, capsys) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(args)
    return stop.value.code, capsys.readouterr().err


@pytest.mark.parametrize(("flags", "needle"), BAD_FLAGS, ids=[" ".join(f) for f, _ in BAD_FLAGS])
def test_bad_flag_is_refused_before_the_run_file(flags, needle, tmp_path, monkeypatch, capsys):
    out = tmp_path / "new" / "r.db"
    code, err = run_in_process([*BASE, "--out", str(out), *flags], monkeypatch, tmp_path, capsys)
    assert_refused(code, err, needle, tmp_path, out)


@pytest.mark.parametrize(("text", "needle"), BAD_FILES, ids=[t.strip() for t, _ in BAD_FILES])
def test_bad_config_value_is_refused_before_the_run_file(text, needle, tmp_path, monkeypatch, capsys):
    config = tmp_path / ("c.json" if text.startswith("{") else "c.toml")
    config.write_text(text)
    out = tmp_path / "new" / "r.db"
    code, err = run_in_process([*BASE, "--out", str(out), "--config", str(config)], monkeypatch, tmp_path, capsys)
    assert_refused(code, err, needle, tmp_path, out)
    assert str(config) in err or needle in ("nosuch:x",), err  # names the file it came from


def test_bad_config_value_without_out_leaves_nothing_under_runs(tmp_path, monkeypatch, capsys):
    (tmp_path / "c.toml").write_text('seed = "abc"\n')
    code, err = run_in_process(
        ["run", "ga", "--task", "sphere", "--config", "c.toml", "-q"], monkeypatch, tmp_path, capsys
    )
    assert code == 2 and "seed" in err
    assert not (tmp_path / "runs").exists()


# the values a hostile pass got through, in a real process
REPRODUCED = [
    (["--memory-mb", "-5"], "--memory-mb"),
    (["--checkpoint-every", "-1"], "--checkpoint-every"),
    (["--max-calls", "-1"], "--max-calls"),
    (["--max-cost", "nan"], "--max-cost"),
    (["--timeout", "inf"], "--timeout"),
    (["--seconds", "nan"], "--seconds"),
    (["--model", "nosuch:x"], "nosuch:x"),
    (["--model", "openai", "--base-url", "foo"], "--base-url"),
]


@pytest.mark.parametrize(("flags", "needle"), REPRODUCED, ids=[" ".join(f) for f, _ in REPRODUCED])
def test_reproduced_bad_values_in_a_real_process(flags, needle, tmp_path):
    out = tmp_path / "new" / "r.db"
    proc = run_cli(*BASE, "--out", out, *flags, cwd=tmp_path)
    assert_refused(proc.returncode, proc.stderr, needle, tmp_path, out)


@pytest.mark.parametrize("text", ['seed = "abc"\n', 'memory-mb = "abc"\n'])
def test_reproduced_bad_config_files_in_a_real_process(text, tmp_path):
    (tmp_path / "c.toml").write_text(text)
    out = tmp_path / "new" / "r.db"
    proc = run_cli(*BASE, "--out", out, "--config", tmp_path / "c.toml", cwd=tmp_path)
    assert_refused(proc.returncode, proc.stderr, text.split()[0], tmp_path, out)


def test_out_in_missing_folders_is_created(tmp_path):
    out = tmp_path / "results" / "exp1" / "r.db"
    proc = run_cli(*BASE, "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()


@pytest.mark.parametrize(
    ("where", "needle"), [("folder", "--out"), ("under-file", "is not a folder"), ("exists", "already exists")]
)
def test_out_that_cannot_be_a_run_file(where, needle, tmp_path, monkeypatch, capsys):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    out = {
        "folder": tmp_path / "adir",
        "under-file": tmp_path / "afile" / "sub" / "r.db",
        "exists": tmp_path / "afile",
    }[where]
    code, err = run_in_process([*BASE, "--out", str(out)], monkeypatch, tmp_path, capsys)
    assert code == 2 and "Traceback" not in err
    assert needle in err.splitlines()[0], err
    assert (tmp_path / "afile").read_text() == "x" and not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("memory_mb", -5),
        ("max_calls", -1),
        ("max_cost", math.nan),
        ("timeout", math.inf),
        ("seed", "abc"),
        ("model", "nosuch:x"),
        ("workers", True),
        ("recipe_params", "population=3"),
    ],
)
def test_python_api_checks_settings_before_the_run_file(setting, value, tmp_path):
    out = tmp_path / "r.db"
    with pytest.raises(ConfigError, match=setting if setting != "model" else "nosuch:x"):
        api.evolve("sphere", "ga", budget=10, out=out, **{setting: value})
    assert not out.exists()


def test_runtime_failures_keep_exit_code_1(tmp_path):
    """Only usage errors exit 2: a corrupt run file is a failure at run time, exit 1."""
    (tmp_path / "text.db").write_text("not sqlite" * 100)
    proc = run_cli("resume", tmp_path / "text.db", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_config_json_null_means_default(tmp_path, monkeypatch, capsys):
    (tmp_path / "c.json").write_text(json.dumps({"seed": None, "task": "sphere", "budget": 10}))
    monkeypatch.chdir(tmp_path)
    main(["run", "ga", "--config", "c.json", "--out", "r.db", "-q"])
    assert (tmp_path / "r.db").is_file()


def test_resume_checks_the_stored_settings(tmp_path):
    """A run file from elsewhere with a bad stored setting is refused by resume, before anything runs."""
    import sqlite3

    out = tmp_path / "r.db"
    proc = run_cli(*BASE, "--out", out, "--budget", "20", "--batch-size", "10", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(out)
    config = json.loads(conn.execute("SELECT value FROM meta WHERE key='config'").fetchone()[0])
    conn.execute("UPDATE meta SET value=? WHERE key='config'", (json.dumps({**config, "memory_mb": -5}),))
    conn.execute("UPDATE meta SET value=? WHERE key='status'", (json.dumps("running"),))
    conn.commit()
    conn.close()
    proc = run_cli("resume", out, cwd=tmp_path)
    assert proc.returncode == 1 and "memory_mb" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "map-elites", "--task", "onemax"], "DESCRIPTOR_BOUNDS"),
        (["run", "ga", "--task", "TEXT_TASK"], "needs a vector"),
    ],
)
def test_recipe_refusing_the_task_leaves_no_run_file(args, needle, tmp_path, monkeypatch, capsys):
    """A recipe's setup that refuses the task (TaskError/ConfigError) is bad input: exit 2, and the run
    file made for it is removed, since no batch was committed."""
    text_task = tmp_path / "text.py"
    text_task.write_text("SEED = 'hello'\ndef evaluate(g):\n    return 1.0\n")
    out = tmp_path / "r.db"
    args = [str(text_task) if a == "TEXT_TASK" else a for a in args]
    code, err = run_in_process([*args, "--budget", "10", "--out", str(out), "-q"], monkeypatch, tmp_path, capsys)
    assert code == 2 and needle in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("error")] == [err.splitlines()[-1]]
    assert not list(tmp_path.glob("r.db*"))
