"""Symbolic regression for genetic programming: find an expression tree (nested JSON lists, see
``evoforge.genomes.trees.operators``) that fits ``target`` on ``points`` samples in [-1, 1]. Score = -RMSE
(capped at 1e6); metrics: the tree's size and its formula. Targets: Koza's quartic x^4+x^3+x^2+x
(default), the sextic x^6-2x^4+x^2, or 'nguyen5' sin(x^2)cos(x)-1."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evoforge.core.errors import TaskError
from evoforge.core.task_value import option
from evoforge.genomes.trees import operators as gp
from evoforge.genomes.trees.task import TreeTask

TARGETS = {
    "quartic": lambda x: x**4 + x**3 + x**2 + x,
    "sextic": lambda x: x**6 - 2 * x**4 + x**2,
    "nguyen5": lambda x: np.sin(x**2) * np.cos(x) - 1.0,
}


@dataclass(kw_only=True)
class SymbolicRegression(TreeTask):
    description: str = "symbolic regression with GP trees (options target=quartic|sextic|nguyen5, points=20)"
    target: str = option("quartic", help="quartic | sextic | nguyen5")
    points: int = option(20, help="samples in [-1, 1]")
    variables = ("x",)
    x: np.ndarray = field(init=False, repr=False, compare=False)
    y: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {sorted(TARGETS)}")
        self.x = np.linspace(-1.0, 1.0, self.points)
        self.y = TARGETS[self.target](self.x)

    def initial(self) -> str:
        return "x"

    def evaluate(self, genome) -> dict:
        try:
            pred = gp.evaluate(genome, {"x": self.x})
        except (ValueError, TypeError, IndexError, KeyError) as err:
            raise TaskError(f"not an expression tree: {err}") from None
        with np.errstate(all="ignore"):
            rmse = float(np.sqrt(np.mean((pred - self.y) ** 2)))
        if not np.isfinite(rmse):
            rmse = 1e6
        return {
            "score": -min(rmse, 1e6),
            "metrics": {"size": gp.size(genome), "formula": gp.to_string(genome)[:200]},
        }


TASK = SymbolicRegression()
