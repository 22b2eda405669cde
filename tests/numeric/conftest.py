import pytest

import evoforge


def best_score(task, recipe, budget, seed=0, params=None, options=None, **kw):
    result = evoforge.evolve(
        task,
        recipe,
        budget=budget,
        seed=seed,
        executor="inprocess",
        timeout=None,
        recipe_params=params or {},
        task_options=options or {},
        **kw,
    )
    assert result.evaluations == budget
    return result.best.score


@pytest.fixture
def best():
    return best_score
