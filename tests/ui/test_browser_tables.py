"""The candidates and improvements tables, the compare view (groups and bands) and the QD views in
headless Chromium, with data from real short runs."""

import threading

import pytest
from browser import CHROMIUM, Browser

import evoforge
from evoforge.readers.ui.server import make

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/install.sh dev)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def dashboard(runs_dir):
    server = make(runs_dir, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def column(b: Browser, index: int | str) -> list[str]:
    cell = "td:last-child" if index == "last" else f"td:nth-child({index})"
    return b.js(f"[...document.querySelectorAll('#candidates-table tr[data-id] {cell}')]"
                ".map(td => td.textContent)")  # fmt: skip


def click(b: Browser, selector: str) -> None:
    b.js(f"document.querySelector({selector!r}).click()")


def choose(b: Browser, selector: str, value: str, event: str = "change") -> None:
    b.js(f"{{ const c = document.querySelector({selector!r}); c.value = {value!r};"
         f" c.dispatchEvent(new Event({event!r})); }}")  # fmt: skip


def test_candidates_table_sorts_filters_searches_and_opens(browser, dashboard):
    browser.open(dashboard + "?run=binpack.db")
    browser.wait("!!document.querySelector('#candidates-table tr[data-id]')")
    click(browser, "#candidates-table button.sort[data-key='id']")  # id, ascending
    ids = [int(v.lstrip("#")) for v in column(browser, 1)]
    assert ids == sorted(ids) and len(ids) > 5
    click(browser, "#candidates-table button.sort[data-key='id']")  # again: descending
    assert [int(v.lstrip("#")) for v in column(browser, 1)] == sorted(ids, reverse=True)
    click(browser, "#candidates-table button.sort[data-key='s']")  # score, best first, failed last
    scores = [v for v in column(browser, 5)]
    numbers = [float(v) for v in scores if v != "-"]
    assert numbers == sorted(numbers, reverse=True) and scores[-1] == "-"
    choose(browser, "#cand-status", "failed")
    assert set(column(browser, 4)) == {"failed"}
    choose(browser, "#cand-status", "")
    choose(browser, "#cand-operator", "tune")
    assert set(column(browser, 3)) == {"tune"}
    choose(browser, "#cand-operator", "")
    choose(browser, "#cand-search", "undefined_name", "input")
    found = column(browser, 1)
    assert found and all("undefined_name" in g for g in column(browser, "last"))
    click(browser, "#candidates-table tr[data-id] button.link")
    wanted = found[0].lstrip("#")
    browser.wait(f"document.querySelector('#candidate-detail')?.textContent.includes('candidate #{wanted}')")
    assert "undefined_name" in browser.text("#genome")


def test_improvements_table_lists_each_new_best(browser, dashboard):
    browser.open(dashboard + "?run=arm.db")
    browser.wait("!!document.querySelector('#improvements-table')")
    rows = browser.js("[...document.querySelectorAll('#improvements-table tr')].slice(1).map(r => r.textContent)")
    assert len(rows) >= 2 and "first" in rows[0] and "+" in rows[-1]
    best = browser.text("#summary-table")
    last_id = browser.js("document.querySelector('#improvements-table tr:last-child td').textContent").lstrip("#")
    assert f"candidate {last_id}," in best  # the last improvement is the run's best
    click(browser, "#improvements-table tr:last-child button.link")
    browser.wait(f"document.querySelector('#candidate-detail')?.textContent.includes('candidate #{last_id}')")


def test_compare_view_shows_groups_and_bands(browser, tmp_path, _run_key):
    for dim in (5, 8):
        for seed in (0, 1):
            evoforge.evolve("sphere", "ga", budget=64, seed=seed, executor="inprocess",
                            out=tmp_path / f"d{dim}-{seed}.db", task_options={"dim": dim})  # fmt: skip
    server = make(tmp_path, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.open(f"http://127.0.0.1:{server.server_address[1]}/")
        browser.wait("!!document.querySelector('#compare-table')")
        assert browser.text("#compare-keys") == "groups differ in: task.dim"
        table = browser.text("#compare-table")
        assert "ga on sphere, task.dim=5" in table and "ga on sphere, task.dim=8" in table
        assert browser.js("document.querySelector('.compare-chart').dataset.bands") == "2"
        assert browser.js("document.querySelectorAll('.compare-chart canvas').length") >= 1
        assert "task.dim=8 (2 runs): median" in browser.text(".compare-chart")
    finally:
        server.shutdown()
        server.server_close()


def test_qd_coverage_over_time_and_a_heat_map_cell_opens_its_elite(browser, dashboard):
    browser.open(dashboard + "?run=arm.db")
    browser.wait("!!document.querySelector('#qd-chart canvas')")
    legend = browser.text("#qd-chart")
    assert "coverage %" in legend and "QD score" in legend
    cell = browser.js(
        "(() => { const ids = state.data.archive.ids; for (let i = 0; i < ids.length; i++)"
        " for (let j = 0; j < ids[i].length; j++) if (ids[i][j] !== null) return [i, j, ids[i][j], ids[i].length]; })()"
    )
    i, j, ident, ny = cell
    browser.js(
        "(() => { const c = document.querySelector('#heat-canvas'), r = c.getBoundingClientRect();"
        " const h = state.data.archive.heatmap, size = Math.max(2, Math.floor(360 / Math.max(h.length, h[0].length)));"
        f" const x = r.left + 1 + {i} * size + size / 2, y = r.top + 1 + ({ny} - 1 - {j}) * size + size / 2;"
        " c.dispatchEvent(new MouseEvent('click', { clientX: x, clientY: y, bubbles: true })); })()"
    )
    browser.wait(f"document.querySelector('#candidate-detail')?.textContent.includes('candidate #{ident}')")
