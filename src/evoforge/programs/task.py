"""Shared plumbing of the program tasks: run the program in the sandbox, turn a failure into an
exception whose message is the feedback a model needs, add default program descriptors."""
from __future__ import annotations

from typing import Any, Callable

from . import descriptors
from .sandbox import run_program

PROGRAM_DESCRIPTOR_BOUNDS = [(0.0, 80.0), (0.0, 40.0)]  # code lines, complexity


class ProgramFailure(RuntimeError):
    """The evaluated program failed; the message is written for the model (what, where, why)."""


def run_in_sandbox(genome: Any, harness: str, inputs: Any, *, timeout: float, memory_mb: int = 1024,
                   preload: tuple[str, ...] = ("numpy",)) -> Any:
    if not isinstance(genome, str):
        raise ProgramFailure(f"genome must be program text, got {type(genome).__name__}")
    result = run_program(genome, harness, inputs, timeout=timeout, memory_mb=memory_mb, preload=preload,
                         max_output=2000)
    if not result.ok:
        raise ProgramFailure(result.feedback(500))
    return result.value


def finish(genome: str, score: float, metrics: dict[str, Any], feedback: str) -> dict[str, Any]:
    return {"score": score, "metrics": metrics, "descriptors": descriptors(genome), "feedback": feedback}


def check(condition: bool, message: str | Callable[[], str]) -> None:
    if not condition:
        raise ProgramFailure(message() if callable(message) else message)
