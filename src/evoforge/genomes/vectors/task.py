"""A task over real vectors as a value: a task file sets ``TASK = VectorTask(...)`` and gets ``SEED``,
``evaluate``, ``evaluate_array`` and ``BOUNDS`` from it. ``configure(**options)`` may rebind ``TASK``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import as_result

ArrayEvaluator = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray | None]"]


@dataclass(kw_only=True)
class VectorTask:
    """A task over real vectors. Give ``evaluate(genome) -> dict | float`` or the vectorised
    ``evaluate_array(rows) -> (scores, descriptors | None)`` (rows: an (n, d) array), or both. With
    ``evaluate_array``, recipes with an array path (MAP-Elites, CMA-ES) evaluate each batch in one
    call in-process and record only the rows they keep; other recipes and executors use it a chunk
    of genomes at a time."""

    seed: Sequence[float]
    evaluate: Callable[[list[float]], Any] | None = None
    evaluate_array: ArrayEvaluator | None = None
    bounds: tuple[float, float] | None = None  # recipes clip genomes to these
    descriptor_bounds: Sequence[tuple[float, float]] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.evaluate is None and self.evaluate_array is None:
            raise TypeError("VectorTask needs evaluate or evaluate_array")
        self.seed = [float(v) for v in self.seed]

    def evaluate_one(self, genome: Any) -> dict[str, Any]:
        if self.evaluate is not None:
            return as_result(self.evaluate(genome))
        return self.evaluate_rows([genome])[0]

    def evaluate_rows(self, genomes: list[Any]) -> list[dict[str, Any]]:
        """``evaluate_batch`` from ``evaluate_array``: one result dict per genome."""
        scores, descriptors = self.evaluate_array(np.asarray(genomes, dtype=float))
        scores = np.asarray(scores, dtype=float).reshape(len(genomes))
        out = [{"score": float(s)} for s in scores]
        if descriptors is not None:
            for result, d in zip(out, np.asarray(descriptors, dtype=float).reshape(len(genomes), -1)):
                result["descriptors"] = d.tolist()
        return out

    def module_attrs(self) -> dict[str, Any]:
        names: dict[str, Any] = {
            "SEED": list(self.seed),
            "evaluate": self.evaluate_one,
            "DESCRIPTION": self.description,
            "TASK": self,
            "GENOME": "vector",
        }
        if self.evaluate_array is not None:
            names.update(evaluate_array=self.evaluate_array, evaluate_batch=self.evaluate_rows)
        if self.bounds is not None:
            names["BOUNDS"] = tuple(self.bounds)
        if self.descriptor_bounds is not None:
            names["DESCRIPTOR_BOUNDS"] = list(self.descriptor_bounds)
        return names
