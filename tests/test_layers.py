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


SRC = ROOT / "src" / "evoforge"


def _modules(folder: pathlib.Path = SRC) -> list[pathlib.Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(SRC)): n for p in _modules() if (n := len(p.read_text().splitlines())) > 400}
    assert not long


def test_tasks_are_values_not_rewritten_modules():
    """No built-in task configures itself by rewriting its module: options are the typed value's fields."""
    import ast

    for path in _modules(SRC / "tasks"):
        tree = ast.parse(path.read_text())
        assert not any(isinstance(n, ast.Global) for n in ast.walk(tree)), path
        assert not any(isinstance(n, ast.FunctionDef) and n.name == "configure" for n in tree.body), path


def test_no_stringly_typed_task_access():
    """The task contract is typed: no module_attrs flattening, no one-letter task module, no attr("NAME")."""
    for path in _modules():
        text = path.read_text()
        for needle in ("module_attrs", "self.T.", "self.T\n", 'task.attr("'):
            assert needle not in text, f"{needle!r} in {path.relative_to(SRC)}"


def test_recipes_import_no_recipe():
    """A recipe imports its family's private helpers (``_name``), never another recipe."""
    import ast

    for path in _modules(SRC / "recipes"):
        if path.name.startswith("_"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                assert node.module.startswith("_"), f"{path.relative_to(SRC)} imports recipe {node.module}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evoforge.recipes."):
                assert node.module.rsplit(".", 1)[-1].startswith("_"), f"{path.relative_to(SRC)}: {node.module}"
