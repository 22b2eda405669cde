"""One run checks its settings, its task and its recipe once each (``run/prepare.py``): ``evoforge
run``, ``evolve`` and ``resume`` alike."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import fields

import pytest

from evoforge.cli import main
from evoforge.core import settings
from evoforge.recipes.registry import get_recipe
from evoforge.run import api, prepare
from evoforge.run.prepare import RunConfig

SPIED = {
    "check_config": prepare.check_config,
    "check_model_spec": prepare.check_model_spec,
    "task_of": prepare.task_of,
    "load_task": prepare.load_task,
    "check_asynchronous": prepare.check_asynchronous,
    "value_problem": settings.value_problem,
}


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Counts of every check, wherever a module refers to it (``value_problem`` per setting)."""
    counted: Counter = Counter()

    def spy(name, fn):
        def wrapper(*args, **kwargs):
            counted[f"value_problem:{str(args[0]).replace('-', '_')}" if name == "value_problem" else name] += 1
            return fn(*args, **kwargs)

        return wrapper

    for module in [m for n, m in sys.modules.items() if n.startswith("evoforge") and m is not None]:
        for name, fn in SPIED.items():
            if getattr(module, name, None) is fn:
                monkeypatch.setattr(module, name, spy(name, fn))
    ga = get_recipe("ga")
    for name in ("validate", "check_task"):
        monkeypatch.setattr(ga, name, spy(name, getattr(ga, name)))
    from_params = ga.from_params
    monkeypatch.setattr(ga, "from_params", classmethod(lambda cls, params: spy("from_params", from_params)(params)))
    return counted


def assert_once_each(calls: Counter) -> None:
    for name in ("check_config", "check_model_spec", "task_of", "load_task", "from_params", "validate", "check_task"):
        assert calls[name] == 1, (name, calls)
    checked = {f.name for f in fields(RunConfig)} - {"recipe_params", "task_options"}
    for setting in checked:
        assert calls[f"value_problem:{setting}"] == 1, (setting, calls)
    assert calls["check_asynchronous"] == 1


def test_evoforge_run_checks_everything_once(calls, tmp_path):
    out = tmp_path / "r.db"
    main(["run", "ga", "--task", "sphere", "-b", "64", "-s", "1", "-e", "inprocess", "--out", str(out), "-q"])
    assert out.is_file()
    assert_once_each(calls)


def test_a_config_file_value_is_checked_once(calls, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('task = "sphere"\nbudget = 64\nmemory-mb = 1024\n[set]\nsigma = 0.2\n')
    main(["run", "ga", "--config", str(config), "-e", "inprocess", "--out", str(tmp_path / "r.db"), "-q"])
    assert_once_each(calls)


def test_evolve_and_resume_check_once_each(calls, tmp_path):
    out = tmp_path / "r.db"
    api.evolve("sphere", "ga", budget=64, seed=1, executor="inprocess", out=out)
    assert_once_each(calls)
    calls.clear()
    config = RunConfig(recipe="ga", task="sphere", seed=1, budget=128, executor="inprocess")
    store = api.RunStore.create(tmp_path / "part.db", config.to_dict())
    store.close()
    api.resume(tmp_path / "part.db")
    assert_once_each(calls)
