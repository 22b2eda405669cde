"""A task over real vectors as a value: a task file sets ``TASK = VectorTask(...)`` with its functions,
or defines a :class:`~evoforge.core.task_value.TaskValue` subclass of its own (the built-in vector tasks do)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue

ArrayEvaluator = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray | None]"]


@dataclass(kw_only=True)
class VectorTask(TaskValue):
    """A task over real vectors. Give ``evaluate(genome) -> dict | float`` or the vectorised
    ``evaluate_array(rows) -> (scores, descriptors | None)`` (rows: an (n, d) array), or both. With
    ``evaluate_array``, recipes with an array path (MAP-Elites, CMA-ES) evaluate each batch in one
    call in-process and record only the rows they keep; other recipes and executors use it a chunk
    of genomes at a time (``evaluate_batch``)."""

    kind: ClassVar[str] = "vector"
    seed: Sequence[float]
    evaluate: Callable[[list[float]], Any] | None = None  # type: ignore[assignment]  # the function itself
    evaluate_array: ArrayEvaluator | None = None  # type: ignore[misc]
    bounds: tuple[float, float] | None = None  # type: ignore[misc]  # recipes clip genomes to these
    descriptor_bounds: Sequence[tuple[float, float]] | None = None  # type: ignore[misc]
    descriptor_names: Sequence[str] | None = None  # type: ignore[misc]

    def __post_init__(self) -> None:
        if self.evaluate is None and self.evaluate_array is None:
            raise TypeError("VectorTask needs evaluate or evaluate_array")
        self.seed = [float(v) for v in self.seed]
        if self.evaluate is None:
            self.evaluate = functools.partial(_first_row, self.evaluate_array)

    def initial(self) -> list[float]:
        return list(self.seed)

    @property
    def evaluate_batch(self) -> Callable[[list[Any]], list[dict[str, Any]]] | None:  # type: ignore[override]
        """``evaluate_array`` as one result dict per genome, where the task has it."""
        return None if self.evaluate_array is None else functools.partial(rows_results, self.evaluate_array)


def rows_results(evaluate_array: ArrayEvaluator, genomes: list[Any]) -> list[dict[str, Any]]:
    """What ``evaluate_array`` says of ``genomes``, as one result dict per genome."""
    scores, descriptors = evaluate_array(np.asarray(genomes, dtype=float))
    scores = np.asarray(scores, dtype=float).reshape(len(genomes))
    out = [{"score": float(s)} for s in scores]
    if descriptors is not None:
        for result, d in zip(out, np.asarray(descriptors, dtype=float).reshape(len(genomes), -1)):
            result["descriptors"] = d.tolist()
    return out


def _first_row(evaluate_array: ArrayEvaluator, genome: Any) -> dict[str, Any]:
    return rows_results(evaluate_array, [genome])[0]
