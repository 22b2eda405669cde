"""The dashboard's candidates and improvements tables and its compare view, as the JSON API serves them."""

import itertools

import pytest
from ui_helpers import call, crafted_run

import evoforge
from evoforge.readers.ui.server import Dashboard


@pytest.fixture(scope="module")
def app(runs_dir):
    return Dashboard(runs_dir)


def test_candidates_table_lists_every_candidate_with_its_text_and_metrics(app):
    _, run = call(app, "/api/run", "run=binpack.db")
    table = run["candidates"]
    assert (
        table["total"]
        == len(table["rows"])
        == run["summary"]["ok"] + run["summary"]["failed"] + run["summary"]["rejected"]
    )
    assert {"ok", "failed"} <= {r["st"] for r in table["rows"]}
    assert any("def priority" in r["g"] for r in table["rows"])
    _, arm = call(app, "/api/run", "run=arm.db")
    assert arm["candidates"]["rows"][0]["g"].startswith("[0]")  # vectors one value a line, as the genome panel


def test_improvements_are_each_new_best_with_operator_parent_and_gain(app, tmp_path):
    _, run = call(app, "/api/run", "run=arm.db")
    steps = run["improvements"]
    assert len(steps) >= 2 and steps[0]["gain"] is None
    scores = [s["score"] for s in steps]
    assert scores == sorted(scores) and len(set(scores)) == len(scores)
    assert scores[-1] == pytest.approx(run["summary"]["best"]["score"])
    for before, after in itertools.pairwise(steps):
        assert after["gain"] == pytest.approx(after["score"] - before["score"])
        assert after["evaluations"] >= before["evaluations"]
    assert all(s["operator"] in ("init", "gaussian") for s in steps)
    crafted_run(tmp_path / "crafted.db")  # candidate 1 (score 2) is a child of candidate 0 (score 1)
    _, crafted = call(Dashboard(tmp_path), "/api/run", "run=crafted.db")
    first, second = crafted["improvements"]
    assert (first["id"], first["gain"], second["id"], second["parent"]) == (0, None, 1, 0)
    assert (second["parent_score"], second["gain"], second["operator"], second["batch"]) == (1.0, 1.0, "mutate", 0)


def test_compare_view_names_groups_that_differ_in_a_task_option(tmp_path, _run_key):
    for dim in (5, 8):
        for seed in (0, 1):
            evoforge.evolve("sphere", "ga", budget=64, seed=seed, executor="inprocess",
                            out=tmp_path / f"d{dim}-{seed}.db", task_options={"dim": dim})  # fmt: skip
    _, body = call(Dashboard(tmp_path), "/api/compare")
    assert body["differ"] == ["task.dim"]
    assert sorted(g["name"] for g in body["groups"]) == ["ga on sphere, task.dim=5", "ga on sphere, task.dim=8"]
    assert all(g["n"] == 2 for g in body["groups"])
    chart = body["tasks"]["sphere"]
    assert len(chart["groups"]) == 2
    for g in chart["groups"]:
        assert len(g["median"]) == len(g["low"]) == len(g["high"]) == len(chart["x"])
        assert all(lo <= mid <= hi for lo, mid, hi in zip(g["low"], g["median"], g["high"]) if mid is not None)
