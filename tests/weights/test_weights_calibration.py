"""The self-training calibration: rows per (task, level), the zone and the vote gap in its table."""

import importlib.util
import json
from pathlib import Path

import pytest

PATH = Path(__file__).parents[2] / "benchmarks" / "weights_calibration.py"


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("bench_weights_calibration", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_parse_level(bench):
    assert bench.parse_level("steps=3, max_start=50") == {"steps": 3, "max_start": 50}
    assert bench.parse_level("") == {}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        bench.parse_level("steps")


def test_rows_per_level_on_the_tiny_model(bench, weights_dir, tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "cal.jsonl"
    flags = ["--task", "word-problems", "--levels", "steps=1", "steps=3", "--base", "tiny"]
    bench.main([*flags, "--heldout", "4", "--samples", "2", "--threads", "1", "--results", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["level"] for r in rows] == [{"steps": 1}, {"steps": 3}]
    assert all(r["heldout"] == 4 and r["samples"] == 2 and 0 <= r["greedy"] <= 1 for r in rows)
    assert rows[0]["checkpoint"] != rows[1]["checkpoint"]  # each level has its own warm start
    t = bench.table(out)
    assert t.find(level="steps=3")["held out"] == "4"
    r = {**rows[0], "greedy": 0.3, "maj": {"1": 0.3, "2": 0.4}}
    out.write_text(json.dumps(r) + "\n")
    assert bench.table(out).find(level="steps=1")["zone"] == "learnable, votes pay"
    out.write_text(json.dumps({**r, "greedy": 0.1}) + "\n")
    assert bench.table(out).find(level="steps=1")["zone"] == "too hard, votes pay"


@pytest.mark.parametrize("level", ["stepz", "stepz=3", "steps=0"])
def test_a_bad_level_is_one_clear_error(bench, weights_dir, tmp_path, capsys, level):
    with pytest.raises(SystemExit) as err:
        bench.main(["--levels", level, "--results", str(tmp_path / "x.jsonl")])
    assert err.value.code == 2 and "--levels" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()
