from pathlib import Path

import pytest


@pytest.fixture
def self_train(weights_dir: Path, tmp_path: Path):
    """Run a weight recipe in-process for ``budget`` rounds and return its round table, after the checks
    every such run must pass: one evaluation a round, the warm start as round 0, every round ``ok`` with
    a score in [0, 1] and its checkpoint on disk."""
    from evoforge.genomes.weights import rounds
    from evoforge.run import api

    def run(task: str, recipe: str, budget: int, params: dict, *, seed: int = 1, out: str = "run.db", **task_options):
        res = api.evolve(
            task,
            recipe,
            budget=budget,
            seed=seed,
            out=tmp_path / out,
            executor="inprocess",
            recipe_params=params,
            task_options=task_options,
        )
        assert res.evaluations == budget
        table = rounds(res.path)
        assert [r["round"] for r in table] == list(range(budget)) and table[0]["operator"] == "warm-start"
        for r in table:
            assert r["status"] == "ok" and 0.0 <= r["score"] <= 1.0 and Path(r["checkpoint"]).is_dir(), r
        return table

    return run
