"""Run files written before the package was regrouped into folders still resume.

``tests/fixtures/before_move/`` holds runs made by the code before the move (the flat layout: their
checkpoints pickle ``evoforge.candidate``, ``evoforge.archives``, ``evoforge.recipes.ga`` ...), each
interrupted after its first commit, with the run key that signed them. Resumed now, each must end where
an uninterrupted run of the same configuration ends: the same candidates, ids, operators, parents,
scores and genomes."""

import shutil
from pathlib import Path

import pytest

import evoforge
from evoforge import RunStore
from evoforge.core.moved import moved_module

FIXTURES = Path(__file__).parent / "fixtures" / "before_move"
RUNS = [("ga-sphere", "ga", "sphere"), ("map-elites-planar-arm", "map-elites", "planar-arm")]
RUNS += [("regevo-onemax", "regularized-evolution", "onemax")]


def _rows(path: Path) -> list[tuple]:
    store = RunStore.open(path)
    try:
        return [(c.id, c.operator, c.parents, c.score, c.genome, c.status) for c in store.candidates()]
    finally:
        store.close()


@pytest.mark.parametrize(("name", "recipe", "task"), RUNS)
def test_a_run_file_from_before_the_move_resumes(tmp_path, monkeypatch, name, recipe, task):
    old = tmp_path / f"{name}.db"
    shutil.copy(FIXTURES / f"{name}.db", old)
    shutil.copy(FIXTURES / "run-key", tmp_path / "run-key")
    monkeypatch.setenv("EVOFORGE_KEY_FILE", str(tmp_path / "run-key"))
    blob = _checkpoint(old)
    assert f"evoforge.recipes.{recipe.replace('-', '_')}".encode() in blob  # pickled under the old module

    before = len(_rows(old))
    evoforge.resume(old)
    fresh = tmp_path / "fresh.db"
    evoforge.evolve(task, recipe, budget=400, seed=3, out=fresh, executor="inprocess", batch_size=16)
    resumed = _rows(old)
    assert len(resumed) > before
    assert resumed == _rows(fresh)


def _checkpoint(path: Path) -> bytes:
    store = RunStore.open(path)
    try:
        return store.conn.execute("SELECT recipe_state FROM checkpoint").fetchone()[0]
    finally:
        store.close()


def test_moved_modules_are_found_by_their_old_names():
    assert moved_module("evoforge.recipes.ga") == "evoforge.recipes.numeric.ga"
    assert moved_module("evoforge.candidate") == "evoforge.core.candidate"
    assert moved_module("evoforge.agents.memory") == "evoforge.genomes.agents.memory.base"
    assert moved_module("evoforge.agents.task") == "evoforge.genomes.agents.task"
    assert moved_module("numpy.core") == "numpy.core"
