"""Program tasks: the public :class:`ProgramTask` value (a task file sets ``TASK = ProgramTask(...)``),
:class:`ProgramTaskBase` (what every program task tells the program recipes; the built-in tasks
subclass it) and the plumbing of every program task: run the program in the sandbox, turn a failure
into an exception whose message is the feedback a model needs, add default program descriptors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.candidate import as_result
from evoforge.core.module_task import ModuleTask
from evoforge.core.task_value import TaskValue
from evoforge.isolation.program_sandbox import run_program

from . import descriptors

PROGRAM_DESCRIPTOR_BOUNDS = [(0.0, 80.0), (0.0, 40.0)]  # code lines, complexity
PROGRAM_DESCRIPTOR_NAMES = ["code lines", "complexity"]


class ProgramFailure(RuntimeError):
    """The evaluated program failed; the message is written for the model (what, where, why)."""


def run_in_sandbox(
    genome: Any,
    harness: str,
    inputs: Any,
    *,
    timeout: float,
    memory_mb: int = 1024,
    preload: tuple[str, ...] = ("numpy",),
) -> Any:
    if not isinstance(genome, str):
        raise ProgramFailure(f"genome must be program text, got {type(genome).__name__}")
    result = run_program(
        genome, harness, inputs, timeout=timeout, memory_mb=memory_mb, preload=preload, max_output=2000
    )
    if not result.ok:
        raise ProgramFailure(result.feedback(500))
    return result.value


def finish(genome: str, score: float, metrics: dict[str, Any], feedback: str) -> dict[str, Any]:
    return {"score": score, "metrics": metrics, "descriptors": descriptors(genome), "feedback": feedback}


def check(condition: bool, message: str | Callable[[], str]) -> None:
    if not condition:
        raise ProgramFailure(message() if callable(message) else message)


DEFAULT_HARNESS = """
def run(program, inputs):
    function = getattr(program, inputs["function"])
    return [function(*args) for args in inputs["cases"]]
"""


@dataclass(kw_only=True)
class ProgramTaskBase(TaskValue):
    """A task whose genome is a program. What the program recipes show the model besides the
    description: the signature of ``function`` (default: the seed's first function), one of ``ideas``
    per model call (default: generic ones), ``hint`` (one line on pitfalls) and ``line_example`` (a
    one-line edit of ``result``; enables the line operator). Descriptors: code lines and complexity
    (a subclass that sets other ``descriptor_bounds`` names them in ``descriptor_names``)."""

    kind: ClassVar[str] = "program"
    function: str | None = None
    ideas: Sequence[str] | None = None
    hint: str = ""
    line_example: str = ""
    descriptor_bounds = PROGRAM_DESCRIPTOR_BOUNDS
    descriptor_names = PROGRAM_DESCRIPTOR_NAMES  # the archive's axes on plots and the dashboard


def program_facts(task: Any) -> ProgramTaskBase | ModuleTask | None:
    """The value of a loaded program task that holds its facts (``FUNCTION``, ``IDEAS`` ... of a
    module-style one), or None for a value of another class."""
    value = task.value
    return value if isinstance(value, (ProgramTaskBase, ModuleTask)) else None


@dataclass(kw_only=True)
class ProgramTask(ProgramTaskBase):
    """A task whose genome is a program. ``seed`` is the starting program's text (optionally with
    ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` around what may change); models are shown
    ``description`` and the signature of ``function`` (default: the seed's first function).

    Each evaluation runs the program in the sandbox and calls ``function(*args)`` for every ``args``
    in ``cases`` (JSON-able argument lists); ``score(outputs) -> float | dict`` then turns the list
    of return values into the result, outside the sandbox. A program that raises, hangs past
    ``timeout`` or returns something that is not JSON fails, and the error is shown to the model.
    ``harness``: your own sandbox code ``def run(program, inputs)`` instead of the call per case
    (``inputs`` is then passed to it as given in ``cases``). ``function``, ``ideas``, ``hint``: see
    :class:`ProgramTaskBase`."""

    seed: str
    description: str
    score: Callable[[Any], Any]
    cases: Any = ()
    harness: str | None = None
    timeout: float = 10.0  # seconds per program run
    memory_mb: int = 1024
    descriptor_bounds: Sequence[tuple[float, float]] | None = None
    descriptor_names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if self.descriptor_bounds is None:
            self.descriptor_bounds, self.descriptor_names = PROGRAM_DESCRIPTOR_BOUNDS, PROGRAM_DESCRIPTOR_NAMES
        if self.function is None:
            from .blocks import evolve_text, function_names

            names = function_names(evolve_text(self.seed)) or function_names(self.seed)
            if not names:
                raise ValueError("ProgramTask: the seed program defines no function")
            self.function = names[0]

    def initial(self) -> str:
        return self.seed

    def evaluate(self, genome: Any) -> dict[str, Any]:
        if self.harness is None:
            outputs = run_in_sandbox(
                genome,
                DEFAULT_HARNESS,
                {"function": self.function, "cases": list(self.cases)},
                timeout=self.timeout,
                memory_mb=self.memory_mb,
            )
        else:
            outputs = run_in_sandbox(genome, self.harness, self.cases, timeout=self.timeout, memory_mb=self.memory_mb)
        result = as_result(self.score(outputs))
        base = finish(genome, float(result["score"]), {}, "")
        base.update({k: v for k, v in result.items() if v is not None})
        if not base.get("feedback"):
            base.pop("feedback")
        return base
