"""The tree-search recipes (rstar-math, meds3) end to end on a tiny random model."""

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge.genomes.weights import models

PARITY = str(Path(__file__).with_name("_parity_task.py"))  # a random model is right about half the time
TINY = dict(
    base="tiny", problems=4, simulations=2, expand=3, warm_start=4, warm_epochs=1.0, train_batch=4, gen_batch=16,
    rm_epochs=1.0, rm_holdout=0.5,
)  # fmt: skip


def test_rstar_math_policy_and_ppm_evolve_together(self_train):
    table = self_train(PARITY, "rstar-math", 3, TINY)
    first, second = table[1], table[2]
    for row in (first, second):
        assert row["generated"] == 4 * 2 * 3  # problems x simulations x expand rollouts
        assert row["pairs"] > 0 and row["rm_pairs"] + row["rm_test_pairs"] <= row["pairs"]
        assert row["dataset"] == row["accepted"] + 8  # the warm-start rows (4, and 4 with hints) mixed in
        assert 0.0 <= row["rm_acc"] <= 1.0 and 0.0 <= row["verified"] <= 1.0
        assert row["gv_gap"] == pytest.approx(row["verified"] - row["pass1"])
    assert not first["guided"] and "prev_rm_acc" not in first
    assert second["guided"] and 0.0 <= second["prev_rm_acc"] <= 1.0  # round 1's PPM steered round 2's search
    run_dir = Path(first["checkpoint"]).parent
    ppm = run_dir / "rm-01"
    assert models.read_meta(ppm)["kind"] == "rm" and models.read_meta(ppm)["rm_start"] == first["checkpoint"]
    pairs = json.loads((run_dir / "pairs-01.json").read_text())
    assert all(p["prompt"].startswith("Q: train") and p["chosen"] != p["rejected"] for p in pairs)


def test_meds3_reports_greedy_vs_prm_selected(self_train):
    last = self_train(PARITY, "meds3", 2, {**TINY, "best_of": 3, "select_problems": 4})[1]
    assert last["pairs"] > 0
    for key in ("sel_greedy", "sel_prm", "sel_pass1", "sel_maj", "sel_passk", "rm_acc"):
        assert 0.0 <= last[key] <= 1.0, key
    assert last["sel_prm"] <= last["sel_passk"]  # the pick is one of the samples
    assert last["generated"] == 4 * 2 * 3 + 4 * (3 + 1)  # the search, then greedy + 3 samples per held-out problem
