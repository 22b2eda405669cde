"""The unit of evolution: one individual and everything known about it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from .model_call import ModelCall

OK = "ok"
FAILED = "failed"
REJECTED = "rejected"  # refused before evaluation (duplicate, invalid); costs no evaluation


@dataclass
class Candidate:
    """One individual. ``genome`` is any JSON-able payload: a vector, program text, a prompt,
    an agent spec or a checkpoint path. Higher ``score`` is better; ``None`` until evaluated."""

    genome: Any
    id: int = -1
    parents: list[int] = field(default_factory=list)
    operator: str = "seed"
    generation: int = 0
    score: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    descriptors: list[float] | None = None
    feedback: str | None = None
    status: str = "pending"
    reason: str | None = None
    eval_seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)  # recipe-private annotations (JSON-able)
    call: ModelCall | None = None  # the model request and answer it came from (model_call.py); stored apart

    @property
    def ok(self) -> bool:
        return self.status == OK

    def fitness(self) -> float:
        """Score for ranking: failed or unevaluated candidates rank below everything."""
        return self.score if self.ok and self.score is not None else -math.inf

    def rank_key(self) -> tuple[float, int]:
        """Sort key that puts the best first, ties to the older (lower id): ``sorted(pool, key=Candidate.rank_key)``."""
        return (-self.fitness(), self.id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        call = data.get("call")
        if isinstance(call, dict):
            data = {**data, "call": ModelCall(tuple(call["messages"]), call["answer"], call["called"])}
        return cls(**data)


class EvaluationError(ValueError):
    """An evaluator returned something that is not a valid result."""


def apply_result(cand: Candidate, result: Any, seconds: float) -> Candidate:
    """Fill ``cand`` from an evaluator's return value, or mark it failed with the reason."""
    cand.eval_seconds = seconds
    try:
        parsed = parse_result(result)
    except EvaluationError as err:
        cand.status, cand.reason, cand.score = FAILED, str(err), None
        return cand
    cand.score = parsed["score"]
    cand.metrics = parsed.get("metrics", {})
    cand.descriptors = parsed.get("descriptors")
    cand.feedback = parsed.get("feedback")
    cand.status, cand.reason = OK, None
    return cand


def fail(cand: Candidate, reason: str, seconds: float = 0.0) -> Candidate:
    cand.status, cand.reason, cand.score, cand.eval_seconds = FAILED, reason, None, seconds
    return cand


def parse_result(result: Any) -> dict[str, Any]:
    """Validate an evaluator's result: a dict with a finite numeric ``score`` and optional
    ``metrics`` (dict), ``descriptors`` (list of finite numbers) and ``feedback`` (str)."""
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        result = {"score": result}
    if not isinstance(result, dict):
        raise EvaluationError(f"evaluate() must return a dict with 'score', got {type(result).__name__}")
    if "score" not in result:
        raise EvaluationError(f"evaluate() result has no 'score' (keys: {sorted(map(str, result))})")
    score = _finite(result["score"], "score")
    out: dict[str, Any] = {"score": score}
    metrics = result.get("metrics", {})
    if not isinstance(metrics, dict):
        raise EvaluationError("'metrics' must be a dict")
    out["metrics"] = {str(k): _jsonable(v) for k, v in metrics.items()}
    if result.get("descriptors") is not None:
        desc = result["descriptors"]
        if not hasattr(desc, "__iter__") or isinstance(desc, (str, bytes, dict)):
            raise EvaluationError("'descriptors' must be a list of numbers")
        out["descriptors"] = [_finite(d, "descriptor") for d in desc]
    if result.get("feedback") is not None:
        out["feedback"] = str(result["feedback"])
    return out


def _finite(value: Any, what: str) -> float:
    if type(value) is float and value - value == 0.0:  # fast path: a finite float (inf - inf is nan)
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EvaluationError(f"{what} must be a number, got {type(value).__name__}") from None
    if not math.isfinite(number):
        raise EvaluationError(f"{what} is {number}")
    return number


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def as_result(value: Any) -> dict[str, Any]:
    """An evaluator's return value as a result dict: a bare number is the score."""
    return dict(value) if isinstance(value, dict) else {"score": float(value)}
