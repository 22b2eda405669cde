"""Built-in program tasks: seeds evaluate, invalid programs fail with feedback, checks are strict."""

import numpy as np
import pytest

from evoforge.core.task import load_task
from evoforge.genomes.programs.task import ProgramFailure
from evoforge.tasks.programs import binpack, circle_packing


def test_binpack_seed_is_best_fit_with_excess_metrics():
    task = load_task("binpack", {"instances": 2, "items": 400})
    r = task.evaluate(task.seed)
    assert -15 < r["score"] < 0 and r["metrics"]["excess_pct"] == pytest.approx(-r["score"])
    assert r["metrics"]["bins"] > r["metrics"]["l1_bound"] and "lower bound" in r["feedback"]
    first_fit = task.seed.replace("return -gap", "return -np.arange(len(bins)) + 0 * item #")
    assert task.evaluate(first_fit)["score"] < r["score"]  # first fit is worse than best fit here


def test_binpack_instances_follow_funsearch():
    w = binpack.generate("weibull5k", 1, None, 0)[0]
    assert len(w["items"]) == 5000 and w["capacity"] == 100 and min(w["items"]) >= 1 and max(w["items"]) <= 100
    assert 35 < np.mean(w["items"]) < 45  # Weibull(3) * 45 has mean about 40
    o = binpack.generate("or3", 1, None, 0)[0]
    assert len(o["items"]) == 500 and o["capacity"] == 150 and 20 <= min(o["items"]) <= max(o["items"]) <= 100


def test_binpack_bad_programs_fail_with_reason():
    task = load_task("binpack", {"instances": 1, "items": 100})
    with pytest.raises(ProgramFailure, match="one value per bin"):
        task.evaluate(task.seed.replace("return -gap", "return 1.0 #"))
    with pytest.raises(ProgramFailure, match="NameError"):
        task.evaluate(task.seed.replace("return -gap", "return nope #"))


def test_circle_packing_validity_is_strict():
    n = 26
    ok_centers = [[(i % 6 + 0.5) / 6, (i // 6 + 0.5) / 6] for i in range(n)]
    assert circle_packing.validate(ok_centers, [1 / 12] * n, n) == []
    assert "overlapping" in " ".join(circle_packing.validate(ok_centers, [1 / 12 + 1e-8] * n, n))
    assert circle_packing.validate(ok_centers, [1 / 12 + 3e-10] * n, n) == []  # within 1e-9
    assert "stick out" in " ".join(circle_packing.validate([[0.01, 0.5]] * 1 + ok_centers[1:], [1 / 12] * n, n))
    assert "shape" in circle_packing.validate(ok_centers[:25], [0.01] * 25, n)[0]
    assert "NaN" in circle_packing.validate(ok_centers, [float("nan")] * n, n)[0]
    assert "radius <= 0" in circle_packing.validate(ok_centers, [0.0] * n, n)[0]


def test_circle_packing_rejects_an_inflated_packing():
    task = load_task("circle-packing")
    r = task.evaluate(task.seed)
    assert 1.0 < r["score"] < 2.7 and r["metrics"]["n"] == 26
    cheat = task.seed.replace("radii = max_radii(centers)", "radii = max_radii(centers) * 2")
    with pytest.raises(ProgramFailure, match="invalid packing"):
        task.evaluate(cheat)
    few = task.seed.replace("return centers, radii", "return centers[:25], radii[:25]")
    with pytest.raises(ProgramFailure, match="shape"):
        task.evaluate(few)


def test_tsp_seed_and_invalid_tour():
    task = load_task("tsp", {"instances": 2, "size": 20})
    r = task.evaluate(task.seed)
    assert r["score"] <= 0 and r["metrics"]["gap_pct"] >= 0
    bad = task.seed.replace("return int(unvisited[np.argmin(cost)])", "return current")
    assert bad != task.seed
    with pytest.raises(ProgramFailure, match="not an unvisited city"):
        task.evaluate(bad)
