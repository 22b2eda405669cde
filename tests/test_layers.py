"""The package's layers: recipes draw their own plot panel through a hook (plot.py knows no recipe),
and the import contracts in pyproject.toml hold (``lint-imports``)."""

import os
import pathlib
import subprocess
import sys

import pytest

from evoforge.core.recipe import Recipe
from evoforge.recipes.registry import get_recipe

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_plot_extra_hook_is_opt_in():
    from evoforge.recipes.self_training._base import SelfTraining

    assert not Recipe.draws_plot_extra()
    assert not get_recipe("ga").draws_plot_extra()
    assert SelfTraining.draws_plot_extra() and get_recipe("star").draws_plot_extra()


def test_import_contracts_hold():
    pytest.importorskip("importlinter")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    code = "from importlinter.cli import lint_imports; raise SystemExit(lint_imports(no_cache=True, no_logo=True))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout
