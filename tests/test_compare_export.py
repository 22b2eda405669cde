"""`evoforge compare` (runs side by side, medians over seeds, curves) and `evoforge export` (a run's
lineage as training data, read back with datasets)."""

import json
import subprocess
import sys

import pytest

import evoforge
from evoforge.store.run_file import RunStore


def cli(*args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    for seed in (0, 1, 2):
        evoforge.evolve("sphere", "ga", budget=256, seed=seed, executor="inprocess", out=folder / f"ga-{seed}.db")
    evoforge.evolve("sphere", "cma-es", budget=256, seed=0, executor="inprocess", out=folder / "cma.db")
    return folder


def _best(path):
    store = RunStore.open(path)
    try:
        return store.best().score
    finally:
        store.close()


def test_compare_shows_each_run_and_the_median_over_seeds(runs, tmp_path):
    png = tmp_path / "curves.png"
    proc = cli("compare", runs, "-o", png)
    assert proc.returncode == 0, proc.stderr
    bests = sorted(_best(runs / f"ga-{s}.db") for s in (0, 1, 2))
    lines = [line for line in proc.stdout.splitlines() if "ga on sphere" in line]
    assert len(lines) == 4  # three runs and their median row
    shown = [f"{b:.5g}" for b in bests]  # median, min and max of the three seeds: all in the group's row
    assert sum(all(b in line for b in shown) for line in lines) == 1
    assert "cma-es on sphere" in proc.stdout and "-90" in proc.stdout  # the seed's score, for cma-es too
    assert png.stat().st_size > 10_000


def test_compare_refuses_a_missing_run_in_one_line(tmp_path):
    proc = cli("compare", tmp_path / "nope.db")
    assert proc.returncode == 2 and "no run file or folder" in proc.stderr and "Traceback" not in proc.stderr


def test_export_formats_read_back_with_datasets(runs, tmp_path):
    datasets = pytest.importorskip("datasets")
    run = runs / "ga-0.db"
    loaded = {}
    for fmt in ("jsonl", "sft", "dpo"):
        out = tmp_path / f"{fmt}.jsonl"
        proc = cli("export", run, "--format", fmt, "-o", out)
        assert proc.returncode == 0, proc.stderr
        loaded[fmt] = datasets.load_dataset("json", data_files=str(out), split="train")
    rows = {r["id"]: r for r in loaded["jsonl"]}
    assert len(rows) == 256 and rows[0]["operator"] == "seed" and rows[0]["parents"] == []
    assert json.loads(rows[0]["genome"]) == [3.0] * 10
    improving = [r for r in rows.values() if r["parents"] and r["score"] > max(rows[p]["score"] for p in r["parents"])]
    sft = loaded["sft"]
    assert sft.column_names == ["prompt", "completion"] and len(sft) == len(improving) > 0
    assert {r["completion"] for r in sft} == {r["genome"] for r in improving}
    assert all(p.startswith("Task: sphere\nOperator: ") for p in sft["prompt"])
    dpo = loaded["dpo"]
    assert dpo.column_names == ["prompt", "chosen", "rejected"] and len(dpo) > 0
    score_of = {r["genome"]: r["score"] for r in rows.values()}
    assert all(score_of[r["chosen"]] > score_of[r["rejected"]] for r in dpo)
    bad = cli("export", run, "--format", "parquet", "-o", tmp_path / "x")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
