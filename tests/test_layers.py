"""The package layers: recipes draw their own plot panel through a hook, core modules import no recipe,
and the import graph has no cycle."""
import ast
import pathlib

from evoforge.recipe import Recipe

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "evoforge"


def test_plot_extra_hook_is_opt_in():
    from evoforge.recipes._self_training import SelfTraining
    from evoforge.registry import get_recipe

    assert not Recipe.draws_plot_extra()
    assert not get_recipe("ga").draws_plot_extra()
    assert SelfTraining.draws_plot_extra() and get_recipe("star").draws_plot_extra()


def _imports(path: pathlib.Path) -> set[str]:
    """Modules named by the file's imports (relative ones resolved against evoforge)."""
    parts = ["evoforge", *path.relative_to(SRC).with_suffix("").parts]
    package = parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            out.update([module] + [f"{module}.{a.name}" for a in node.names])
    return out


def test_core_and_tasks_import_no_recipe_or_trainer():
    core = ["engine.py", "store.py", "executors.py", "candidate.py", "task.py", "recipe.py", "plot.py"]
    for name in core:
        names = _imports(SRC / name)
        assert not any(n.startswith("evoforge.recipes") for n in names), name
    for path in (SRC / "tasks").glob("*.py"):
        names = _imports(path)
        assert not any(n.startswith(("evoforge.recipes", "evoforge.weights.train")) for n in names), path
