"""`evoforge show` and the dashboard read a run's facts through the same functions (store/facts.py):
the seed's score, the proposals discarded before evaluation and the counts by status agree."""

import re

import pytest
from rich.console import Console
from ui_helpers import call

import evoforge
from evoforge.readers.report import show_run
from evoforge.readers.ui.server import Dashboard
from evoforge.store.run_file import RunStore


def shown(path) -> str:
    console = Console(record=True, width=200)
    store = RunStore.open(path)
    try:
        show_run(store, console)
    finally:
        store.close()
    return console.export_text()


@pytest.fixture(scope="module")
def cma_dir(tmp_path_factory, _run_key):
    folder = tmp_path_factory.mktemp("cma")
    evoforge.evolve("sphere", "cma-es", budget=64, seed=0, executor="inprocess", out=folder / "cma.db")
    return folder


@pytest.mark.parametrize("where, name", [("runs_dir", "arm.db"), ("cma_dir", "cma.db"), ("runs_dir", "binpack.db")])
def test_show_and_dashboard_agree_on_seed_score_and_discards(request, where, name):
    folder = request.getfixturevalue(where)
    text = shown(folder / name)
    _, run = call(Dashboard(folder), "/api/run", f"run={name}")
    s = run["summary"]
    assert s["seed_score"] is not None, "the dashboard shows no seed score"
    assert f"seed score {s['seed_score']:.6g}" in text
    found = re.search(r"discarded before evaluation\s*│?\s*(\d+)", text)
    assert found and int(found.group(1)) == s["discarded"]
    assert f"{s['ok']} / {s['failed']} / {s['rejected']}" in text
    if name == "binpack.db":  # duplicates the engine rejected: counted, with their reasons, in both
        assert s["discarded"] > 0 and sum(r["count"] for r in s["discarded_reasons"]) == s["discarded"]
