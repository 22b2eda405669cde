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


def test_the_main_job_gate_reads_the_readmes_first_command():
    """benchmarks/main_job.py (CI's gate on the main job's gain) runs exactly the README's command."""
    import importlib.util

    path = Path(__file__).parent.parent / "benchmarks" / "main_job.py"
    spec = importlib.util.spec_from_file_location("main_job", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv = module.readme_command()
    assert argv[:3] == ["evoforge", "run", "evolve"] and " ".join(argv) in README
    assert module.with_seed(argv, 3)[argv.index("--seed") + 1] == "3"
