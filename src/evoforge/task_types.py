"""Typed task values for vector and program genomes: a task file sets ``TASK = VectorTask(...)`` or
``TASK = ProgramTask(...)`` and gets ``SEED``, ``evaluate`` and the optional names from it (prompt
tasks: :class:`evoforge.prompt_task.PromptTask`). ``configure(**options)`` may rebind ``TASK``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

ArrayEvaluator = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray | None]"]


def _as_result(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {"score": float(value)}


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
    bounds: tuple[float, float] | None = None            # recipes clip genomes to these
    descriptor_bounds: Sequence[tuple[float, float]] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.evaluate is None and self.evaluate_array is None:
            raise TypeError("VectorTask needs evaluate or evaluate_array")
        self.seed = [float(v) for v in self.seed]

    def evaluate_one(self, genome: Any) -> dict[str, Any]:
        if self.evaluate is not None:
            return _as_result(self.evaluate(genome))
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
        names: dict[str, Any] = {"SEED": list(self.seed), "evaluate": self.evaluate_one,
                                 "DESCRIPTION": self.description, "TASK": self, "GENOME": "vector"}
        if self.evaluate_array is not None:
            names.update(evaluate_array=self.evaluate_array, evaluate_batch=self.evaluate_rows)
        if self.bounds is not None:
            names["BOUNDS"] = tuple(self.bounds)
        if self.descriptor_bounds is not None:
            names["DESCRIPTOR_BOUNDS"] = list(self.descriptor_bounds)
        return names


DEFAULT_HARNESS = '''
def run(program, inputs):
    function = getattr(program, inputs["function"])
    return [function(*args) for args in inputs["cases"]]
'''


@dataclass(kw_only=True)
class ProgramTask:
    """A task whose genome is a program. ``seed`` is the starting program's text (optionally with
    ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` around what may change); models are shown
    ``description`` and the signature of ``function`` (default: the seed's first function).

    Each evaluation runs the program in the sandbox and calls ``function(*args)`` for every ``args``
    in ``cases`` (JSON-able argument lists); ``score(outputs) -> float | dict`` then turns the list
    of return values into the result, outside the sandbox. A program that raises, hangs past
    ``timeout`` or returns something that is not JSON fails, and the error is shown to the model.
    ``harness``: your own sandbox code ``def run(program, inputs)`` instead of the call per case
    (``inputs`` is then passed to it as given in ``cases``)."""

    seed: str
    description: str
    score: Callable[[Any], Any]
    cases: Any = ()
    function: str | None = None
    harness: str | None = None
    ideas: Sequence[str] | None = None          # one idea per model call (default: generic ones)
    hint: str = ""                              # one line on pitfalls, shown to the model
    timeout: float = 10.0                       # seconds per program run
    memory_mb: int = 1024
    descriptor_bounds: Sequence[tuple[float, float]] | None = None

    def __post_init__(self) -> None:
        if self.function is None:
            from .programs import evolve_text, function_names

            names = function_names(evolve_text(self.seed)) or function_names(self.seed)
            if not names:
                raise ValueError("ProgramTask: the seed program defines no function")
            self.function = names[0]

    def evaluate(self, genome: Any) -> dict[str, Any]:
        from .tasks._programs import finish, run_in_sandbox

        if self.harness is None:
            outputs = run_in_sandbox(genome, DEFAULT_HARNESS, {"function": self.function, "cases": list(self.cases)},
                                     timeout=self.timeout, memory_mb=self.memory_mb)
        else:
            outputs = run_in_sandbox(genome, self.harness, self.cases, timeout=self.timeout, memory_mb=self.memory_mb)
        result = _as_result(self.score(outputs))
        base = finish(genome, float(result["score"]), {}, "")
        base.update({k: v for k, v in result.items() if v is not None})
        if not base.get("feedback"):
            base.pop("feedback")
        return base

    def module_attrs(self) -> dict[str, Any]:
        from .tasks._programs import PROGRAM_DESCRIPTOR_BOUNDS

        names: dict[str, Any] = {"SEED": self.seed, "evaluate": self.evaluate, "DESCRIPTION": self.description,
                                 "FUNCTION": self.function, "TASK": self, "HINT": self.hint, "GENOME": "program",
                                 "DESCRIPTOR_BOUNDS": list(self.descriptor_bounds or PROGRAM_DESCRIPTOR_BOUNDS)}
        if self.ideas:
            names["IDEAS"] = list(self.ideas)
        return names
