"""Quality-diversity views (coverage and QD score over time in `show`, `plot` and the dashboard, heat-map
cells naming their elite), the program tasks' descriptor axes and per-round monitors of float metrics."""

import pytest
from rich.console import Console
from ui_helpers import call

from evoforge.core.candidate import Candidate
from evoforge.readers.plot import plot_run
from evoforge.readers.report import show_run
from evoforge.readers.ui.server import Dashboard
from evoforge.store.run_file import BatchRecord, RunStore


@pytest.fixture(scope="module")
def arm(runs_dir):
    return call(Dashboard(runs_dir), "/api/run", "run=arm.db")[1]


def test_coverage_and_qd_score_over_time_end_at_the_archive(arm):
    archive = arm["archive"]
    qd = archive["qd"]
    assert qd["evaluations"] == arm["series"]["evaluations"]
    assert qd["coverage"] == sorted(qd["coverage"]) and qd["coverage"][0] > 0
    assert qd["coverage"][-1] == pytest.approx(archive["coverage"])
    filled = [v for row in archive["heatmap"] for v in row if v is not None]
    assert qd["offset"] <= min(0.0, min(filled))  # the lowest score that ever entered the archive, or 0
    assert qd["qd_score"][-1] == pytest.approx(sum(v - qd["offset"] for v in filled))  # archive.qd_score(offset)
    assert qd["qd_score"] == sorted(qd["qd_score"])  # filling or improving a cell never lowers it


def test_each_filled_cell_names_its_elite(arm, runs_dir):
    archive = arm["archive"]
    store = RunStore.open(runs_dir / "arm.db")
    try:
        for i, row in enumerate(archive["heatmap"]):
            for j, value in enumerate(row):
                ident = archive["ids"][i][j]
                assert (ident is None) == (value is None)
                if ident is not None:
                    assert store.candidate(ident).score == pytest.approx(value)
    finally:
        store.close()


def test_show_and_plot_draw_qd_over_time(runs_dir, tmp_path, arm):
    console = Console(record=True, width=400)
    store = RunStore.open(runs_dir / "arm.db")
    try:
        show_run(store, console)
        png = plot_run(store, tmp_path / "arm.png")
    finally:
        store.close()
    text = console.export_text()
    assert f"300: {arm['archive']['coverage']:.1%}" in text and "coverage / QD score" in text
    from matplotlib.image import imread

    assert imread(png).shape[1] > 1900  # three panels: score, archive over time, heat map


def test_program_tasks_name_their_descriptor_axes(runs_dir):
    _, run = call(Dashboard(runs_dir), "/api/run", "run=binpack.db")
    assert run["archive"]["axes"] == ["code lines", "complexity"]


def test_monitor_rows_whose_metrics_are_all_floats_are_kept(tmp_path):
    store = RunStore.create(tmp_path / "rounds.db", {"recipe": "r", "task": "t", "seed": 0})
    cands = [
        Candidate(genome=f"g{k}", id=k, operator="round", status="ok", score=-27.0 + k,
                  metrics={"accuracy": 0.35 + 0.25 * k}, info={"round": k, "monitors": {"pass1": 0.1 * k}})
        for k in range(2)
    ]  # fmt: skip
    summary = {"generation": 0, "evaluations": 2, "best_score": -26.0, "median_score": -26.5, "elapsed": 0.1}
    store.commit([BatchRecord(0, cands, summary, {"state": 1}, None, [])], {}, None)
    store.close()
    _, run = call(Dashboard(tmp_path), "/api/run", "run=rounds.db")
    rows = run["monitors"]["rows"]
    assert [r["accuracy"] for r in rows] == [0.35, 0.6] and "accuracy" in run["monitors"]["columns"]
