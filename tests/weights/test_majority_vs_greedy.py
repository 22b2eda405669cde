"""The majority-vs-greedy benchmark: the vote, its rows and its table (tiny model)."""

import importlib.util
import json
from pathlib import Path

import pytest

PATH = Path(__file__).parents[2] / "benchmarks" / "majority_vs_greedy.py"


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("bench_majority_vs_greedy", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_majority_vote(bench):
    assert bench.majority_right(["3", "4", "4", None], "4")
    assert not bench.majority_right(["3", "4", None, None], "4")  # a tie goes to the first seen
    assert not bench.majority_right([None, None], "4")


def test_rows_and_table_on_the_tiny_model(bench, weights_dir, tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "mv.jsonl"
    bench.main(
        [
            "--tasks",
            "word-problems",
            "--base",
            "tiny",
            "--heldout",
            "4",
            "--samples",
            "4",
            "--temperatures",
            "0.7,1",
            "--results",
            str(out),
        ]
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["temperature"] for r in rows] == [0.7, 1.0]
    r = rows[0]
    assert r["task"] == "word-problems" and r["heldout"] == 4 and set(r["maj"]) == {"1", "2", "4"}
    assert 0 <= r["greedy"] <= 1 and r["passk"]["4"] >= r["passk"]["1"] and "command" in r
    table = bench.table(out)
    assert table.find(task="word-problems (tiny)", T="0.7")["held out"] == "4"
    r.update(greedy=0.25, maj={"1": 0.25, "2": 0.5, "4": 0.75})
    out.write_text(json.dumps(r) + "\n")
    assert bench.table(out).find(T="0.7")["best maj - greedy"] == "+0.500"


def test_bad_flags_exit_2(bench, capsys):
    with pytest.raises(SystemExit) as err:
        bench.main(["--temperatures", "hot"])
    assert err.value.code == 2 and "--temperatures" in capsys.readouterr().err
