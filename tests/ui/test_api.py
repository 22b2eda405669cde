"""The dashboard's JSON API and the report file, called in-process (no browser needed)."""

import json
import re
import sqlite3
import subprocess
import sys

import pytest
from ui_helpers import XSS, call, crafted_run

from evoforge.core.errors import ConfigError
from evoforge.readers.ui.export import report_html
from evoforge.readers.ui.server import Dashboard


@pytest.fixture(scope="module")
def app(runs_dir):
    return Dashboard(runs_dir)


def test_runs_lists_run_files_and_skips_other_files(app):
    status, runs = call(app, "/api/runs")
    assert status == "200 OK"
    assert {r["name"] for r in runs} == {"arm.db", "binpack.db"}  # notes.db is not a run file
    arm = next(r for r in runs if r["name"] == "arm.db")
    assert arm["recipe"] == "map-elites" and arm["status"] == "finished" and arm["evaluations"] == 300


def test_vector_run_views(app):
    status, run = call(app, "/api/run", "run=arm.db")
    assert status == "200 OK"
    assert run["summary"]["stop_reason"].startswith("evaluation budget reached")
    series = run["series"]
    assert series["evaluations"] == [50, 100, 150, 200, 250, 300]
    assert series["best"] == sorted(series["best"])  # best so far never falls
    assert set(series["operators"]) == {"init", "gaussian"}
    archive = run["archive"]
    assert archive["elites"] > 10 and len(archive["heatmap"]) > 1
    assert archive["axes"] == ["end effector x", "end effector y"]  # the task's DESCRIPTOR_NAMES
    filled = [v for row in archive["heatmap"] for v in row if v is not None]
    assert max(filled) == pytest.approx(run["summary"]["best"]["score"])
    assert run["tree"]["nodes"] and all(set(n) == {"id", "b", "op", "s", "st", "p"} for n in run["tree"]["nodes"])


def test_program_run_views_and_diff(app):
    _, run = call(app, "/api/run", "run=binpack.db")
    assert run["summary"]["seed_score"] is not None
    assert any("NameError" in g["reason"] for g in run["failures"])
    usage = run["usage"]
    assert usage["total"]["calls"] >= 3 and usage["total"]["cost"] > 0
    assert {r["operator"] for r in usage["rows"]} >= {"line"}
    child = next(n for n in run["tree"]["nodes"] if n["op"] == "line" and n["st"] == "ok")
    status, cand = call(app, "/api/candidate", f"run=binpack.db&id={child['id']}")
    assert status == "200 OK" and cand["parent"] == child["p"][0]
    assert "def priority" in cand["genome"]
    assert any(line.startswith("+") for line in cand["diff"]) and any(line.startswith("-") for line in cand["diff"])
    _, parent = call(app, "/api/candidate", f"run=binpack.db&id={child['p'][0]}")
    assert child["id"] in parent["children"]  # found through the parents column
    named = [n["id"] for n in run["tree"]["nodes"] if child["p"][0] in n["p"]]
    assert parent["children"] == sorted(named)[:50]


def test_stamp_says_unchanged_until_a_commit(app):
    _, run = call(app, "/api/run", "run=arm.db")
    _, again = call(app, "/api/run", f"run=arm.db&stamp={run['stamp']}")
    assert again == {"stamp": run["stamp"], "unchanged": True}
    _, other = call(app, "/api/run", "run=arm.db&stamp=old")
    assert "summary" in other


@pytest.mark.parametrize(
    "path, query, status",
    [
        ("/api/run", "run=../arm.db", "422"),
        ("/api/run", "run=notes.db", "422"),
        ("/api/candidate", "run=arm.db&id=abc", "400"),
        ("/api/candidate", "run=arm.db&id=99999999", "404"),
        ("/static/../server.py", "", "404"),
        ("/static/%2e%2e/server.py", "", "404"),
        ("/nowhere", "", "404"),
    ],
)
def test_bad_requests_are_refused(app, path, query, status):
    got, body = call(app, path, query)
    assert got.startswith(status) and "error" in body


def test_only_loopback_hosts_and_reads(app):
    assert call(app, "/api/runs", host="evil.example:8765")[0].startswith("403")  # DNS rebinding
    assert call(app, "/api/runs", method="POST")[0].startswith("405")
    assert call(app, "/api/runs", host="localhost:8765")[0] == "200 OK"


def test_page_and_bundled_files_are_served_with_a_strict_policy(app):
    status, page = call(app, "/")
    assert status == "200 OK" and b"static/app.js" in page
    for name in ("app.js", "views.js", "graphs.js", "style.css", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"):
        assert call(app, f"/static/{name}")[0] == "200 OK"
    assert not re.search(rb"https?://", page)  # nothing fetched from elsewhere


def test_reading_leaves_the_run_file_as_it_was(runs_dir, app):
    before = (runs_dir / "arm.db").read_bytes()
    call(app, "/api/run", "run=arm.db")
    call(app, "/api/candidate", "run=arm.db&id=1")
    assert (runs_dir / "arm.db").read_bytes() == before


def test_crafted_run_file_is_passed_on_as_data(tmp_path):
    crafted_run(tmp_path / "crafted.db")
    app = Dashboard(tmp_path)
    _, run = call(app, "/api/run", "run=crafted.db")
    assert run["archive"]["axes"] == ["reach", "angle"]
    assert run["rejected"][0]["reason"] == "exact duplicate of an earlier genome" and run["rejected"][0]["ids"] == [3]
    assert run["events"][0]["kind"] == "discarded" and XSS in run["events"][0]["data"]
    assert [r["pass1"] for r in run["monitors"]["rows"]] == [0.25, 0.5]
    assert run["failures"][0]["reason"] == f"SyntaxError {XSS}"  # grouped by the reason's first line


def test_report_inlines_everything_and_no_string_can_close_a_script(tmp_path):
    path = crafted_run(tmp_path / "crafted.db")
    html = report_html(path)
    assert "</script><img" not in html and "<img src=x" not in html  # escaped inside the JSON block
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html)  # nothing loaded from a file or the web
    data = re.search(r'<script type="application/json" id="evoforge-data">(.*?)</script>', html, re.S).group(1)
    report = json.loads(data)
    assert report["run"]["summary"]["recipe"] == f"recipe{XSS}"
    assert set(report["candidates"]) == {"0", "1", "2", "3"}


def test_cli_report_and_ui_errors(tmp_path, runs_dir):
    out = tmp_path / "arm.html"
    done = subprocess.run(
        [sys.executable, "-m", "evoforge", "report", str(runs_dir / "arm.db"), "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and out.stat().st_size > 50_000
    for args in (["ui", str(tmp_path / "missing")], ["report", str(runs_dir / "notes.db")]):
        bad = subprocess.run([sys.executable, "-m", "evoforge", *args], capture_output=True, text=True, timeout=60)
        assert bad.returncode != 0 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) <= 2


def test_missing_target_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        Dashboard(tmp_path / "nothing-here")


def test_corrupted_run_is_reported_not_raised(tmp_path):
    path = crafted_run(tmp_path / "broken.db")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE candidates SET genome = '{not json' WHERE id = 1")
    conn.close()
    status, cand = call(Dashboard(tmp_path), "/api/candidate", "run=broken.db&id=1")
    assert status == "200 OK" and "unreadable" in cand["error"]
