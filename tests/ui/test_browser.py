"""The dashboard and the report file in headless Chromium (Debian's `chromium` package), with data from
real short runs: each view checked through the page's content and a screenshot, a batch committed while
the page is open shown without a reload, and markup from a run file shown as text, never run."""

import threading
from pathlib import Path

import numpy as np
import pytest
from browser import CHROMIUM, Browser
from matplotlib.image import imread
from ui_helpers import XSS, Gate, crafted_run, vector_run

from evoforge.readers.ui.export import write_report
from evoforge.readers.ui.server import make

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; scripts/install.sh dev does)"
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


def serve(target: Path):
    server = make(target, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def dashboard(runs_dir):
    server, url = serve(runs_dir)
    yield url
    server.shutdown()
    server.server_close()


def colours(png: Path) -> int:
    """How many distinct colours a screenshot has (a blank or failed page has one or two)."""
    pixels = imread(png)[..., :3].reshape(-1, 3)
    return len(np.unique((pixels * 255).astype(np.uint8), axis=0))


def sections(b: Browser) -> list[str]:
    return b.js("[...document.querySelectorAll('main section:not(.empty)')].map(s => s.id)")


def test_dashboard_draws_every_view_of_a_vector_run(browser, dashboard, tmp_path):
    browser.open(dashboard + "?run=arm.db")
    browser.wait("document.querySelector('#summary-table')?.textContent.includes('map-elites')")
    assert {"view-runs", "view-score", "view-operators", "view-lineage", "view-archive"} <= set(sections(browser))
    assert "arm.db" in browser.text("#runs-table") and "binpack.db" in browser.text("#runs-table")
    assert "evaluation budget reached" in browser.text("#summary-table")
    assert "best by gaussian" in browser.text("#score-chart")  # uPlot's legend: one curve per operator
    assert browser.js("document.querySelectorAll('#score-chart canvas').length") >= 1
    assert browser.js("document.querySelectorAll('#lineage-svg circle').length") > 20
    assert "gaussian" in browser.text("#operators-table")
    assert "elites" in browser.text("#heat-caption") and browser.text("#heat-x") == "end effector x"
    assert browser.wait("document.querySelector('#genome')?.textContent.includes('[0]')")  # the best's genome
    assert colours(browser.screenshot(tmp_path / "archive.png", "#view-archive")) > 10
    assert colours(browser.screenshot(tmp_path / "score.png", "#view-score")) > 10


def test_program_run_shows_diffs_failures_and_usage(browser, dashboard):
    browser.open(dashboard + "?run=binpack.db")
    browser.wait("!!document.querySelector('#usage-table')")
    assert "line" in browser.text("#usage-table") and "total" in browser.text("#usage-table")
    assert "NameError" in browser.text("#failures-table")
    browser.js("document.querySelector('#lineage-svg circle[data-id=\"1\"]').dispatchEvent(new MouseEvent('click'))")
    browser.wait("document.querySelector('#candidate-detail')?.textContent.includes('candidate #1')")
    assert browser.js("document.querySelectorAll('#diff .add').length") >= 1
    assert browser.js("document.querySelectorAll('#diff .del').length") >= 1
    assert "def priority" in browser.text("#genome")
    assert "model called: yes" in browser.text("#candidate-detail")  # the request and the model's answer
    assert browser.js("document.querySelectorAll('.cand-message').length") == 2
    assert "```" in browser.text("#cand-answer")
    assert browser.js("document.querySelectorAll('img').length") == 0  # the hostile program stays text
    assert browser.js("window.pwned") is None


def test_markup_in_a_run_file_is_shown_as_text(browser, tmp_path):
    crafted_run(tmp_path / "crafted.db")
    server, url = serve(tmp_path)
    try:
        browser.open(url)
        browser.wait("!!document.querySelector('#recipe-report')")
        assert XSS in browser.text("#recipe-report") and XSS in browser.text("#summary-table")
        assert "tag" + XSS in browser.text("#usage-table") and XSS in browser.text("#events-table")
        assert browser.text("#heat-x") == "reach" and browser.text("#heat-y") == "angle"
        assert "exact duplicate" in browser.text("#rejected-table")
        assert "pass1" in browser.text("#monitors-table")
        browser.js(
            "document.querySelector('#lineage-svg circle[data-id=\"1\"]').dispatchEvent(new MouseEvent('click'))"
        )
        browser.wait("document.querySelector('#genome')?.textContent.includes('return 2')")
        assert browser.js("document.querySelectorAll('img, main b').length") == 0
        assert browser.js("window.pwned") is None
    finally:
        server.shutdown()
        server.server_close()


def test_report_file_works_offline(browser, runs_dir, tmp_path):
    html = write_report(runs_dir / "binpack.db", tmp_path / "binpack.html")
    browser.open(html.as_uri())
    browser.wait("document.querySelector('#summary-table')?.textContent.includes('evolve')")
    assert {"view-score", "view-lineage", "view-usage", "view-failures"} <= set(sections(browser))
    assert "view-runs" not in sections(browser)
    assert "NameError" in browser.text("#failures-table")
    browser.js("document.querySelector('#lineage-svg circle[data-id=\"1\"]').dispatchEvent(new MouseEvent('click'))")
    browser.wait("document.querySelectorAll('#diff .add').length > 0")
    assert browser.js("performance.getEntriesByType('resource').length") == 0  # nothing fetched
    assert "report written" in browser.text("#live")
    assert colours(browser.screenshot(tmp_path / "report.png")) > 10


def test_a_batch_committed_while_the_page_is_open_appears_without_reload(browser, tmp_path):
    gate = Gate(after=2)
    run = threading.Thread(target=vector_run, args=(tmp_path / "live.db", 300, gate), daemon=True)
    run.start()
    try:
        assert gate.reached.wait(120)
        server, url = serve(tmp_path)
        browser.open(url + "?poll=300")
        browser.wait("document.querySelector('#summary-table')?.textContent.includes('running')")
        assert "evaluations100" in browser.text("#summary-table").replace(" ", "")
        browser.js("window.samePage = 42")
        stamp = browser.js("document.body.dataset.stamp")
    finally:
        gate.release()
    run.join(120)
    browser.wait("document.querySelector('#summary-table')?.textContent.includes('finished')")
    assert "evaluations300" in browser.text("#summary-table").replace(" ", "")
    assert browser.js("window.samePage") == 42 and browser.js("document.body.dataset.stamp") != stamp
    server.shutdown()
    server.server_close()
