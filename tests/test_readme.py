"""The README's examples run as written."""

import re
from pathlib import Path

import evoforge

README = (Path(__file__).parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_task_example_runs(tmp_path):
    task_src = next(b for b in BLOCKS if b.startswith("# my_task.py"))
    (tmp_path / "my_task.py").write_text(task_src)
    result = evoforge.evolve(str(tmp_path / "my_task.py"), "ga", budget=1500, seed=0, executor="inprocess")
    assert result.best.score > -0.5
    assert result.best.feedback.startswith("squared error")


def test_api_and_recipe_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    api_src = next(b for b in BLOCKS if "evoforge.evolve(" in b)
    exec(compile(api_src, "README-api", "exec"), {})
    recipe_src = next(b for b in BLOCKS if '@register("hill-climber")' in b)
    namespace: dict = {}
    exec(compile(recipe_src, "README-recipe", "exec"), namespace)
    result = evoforge.evolve("sphere", namespace["HillClimber"](), budget=400, seed=0, executor="inprocess")
    assert result.best.score > -20  # sphere starts at -90
