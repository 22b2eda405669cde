"""`compare` pools only runs whose configuration is the same but for the seed: runs that differ in a task
option or a recipe parameter are separate groups, the differing keys are named, and each group gets a
median curve and a min-max band (one panel per task)."""

import pytest
from rich.console import Console

import evoforge
from evoforge.readers.compare import groups, plot_curves, print_comparison, run_files, summarize
from evoforge.readers.groups import band, config_keys, differing


@pytest.fixture(scope="module")
def runs(tmp_path_factory, _run_key):
    folder = tmp_path_factory.mktemp("groups")
    for dim in (10, 30):
        for seed in (0, 1):
            evoforge.evolve(
                "sphere", "ga", budget=96, seed=seed, executor="inprocess", out=folder / f"ga-d{dim}-{seed}.db",
                task_options={"dim": dim},
            )  # fmt: skip
    evoforge.evolve(
        "sphere", "ga", budget=96, seed=0, executor="inprocess", out=folder / "ga-sigma.db",
        task_options={"dim": 10}, recipe_params={"sigma": 1.0},
    )  # fmt: skip
    evoforge.evolve("rastrigin", "ga", budget=96, seed=0, executor="inprocess", out=folder / "ga-rastrigin.db")
    return [summarize(p) for p in run_files([str(folder)])]


def test_runs_that_differ_only_in_task_dim_are_two_groups(runs):
    same_task = [r for r in runs if r.task == "sphere" and "recipe.sigma" not in r.config]
    grouped = groups(same_task)
    assert sorted(grouped) == ["ga on sphere, task.dim=10", "ga on sphere, task.dim=30"]
    assert all(len(members) == 2 for members in grouped.values())  # the seeds of each are pooled
    assert differing([r.config for r in same_task]) == ["task.dim"]


def test_a_recipe_parameter_splits_a_group_and_the_text_names_the_keys(runs):
    console = Console(record=True, width=250)
    print_comparison(runs, console)
    text = console.export_text()
    assert "groups differ in: task, recipe.sigma, task.dim" in text
    assert "ga on sphere, recipe.sigma=1.0, task.dim=10" in text
    assert "ga on sphere, recipe.sigma=-, task.dim=30" in text
    assert len(groups(runs)) == 4


def test_median_and_band_and_one_panel_per_task(runs, tmp_path):
    members = groups(runs)["ga on sphere, recipe.sigma=-, task.dim=10"]
    curves = band([r.curve for r in members])
    assert curves["x"] == sorted(curves["x"]) and max(curves["runs"]) == 2
    for low, mid, high in zip(curves["low"], curves["median"], curves["high"]):
        assert low <= mid <= high
    assert curves["high"][-1] == max(r.best for r in members) and curves["low"][-1] == min(r.best for r in members)
    import matplotlib.pyplot as plt

    png = plot_curves(runs, tmp_path / "c.png")
    assert png.stat().st_size > 10_000
    assert plt.get_fignums() == []  # closed


def test_config_keys_flatten_options_and_parameters():
    config = {"recipe": "ga", "task": "sphere", "seed": 3, "workers": 4, "model": None,
              "task_options": {"dim": 30}, "recipe_params": {"sigma": 0.1}}  # fmt: skip
    assert config_keys(config) == {"recipe": "ga", "task": "sphere", "task.dim": "30", "recipe.sigma": "0.1"}
