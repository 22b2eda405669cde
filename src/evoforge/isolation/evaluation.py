"""Evaluating genomes with a task's evaluator, shared by every executor (and by pool workers)."""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from evoforge.core.candidate import Candidate, EvaluationError, fail, parse_result
from evoforge.core.task import Task

from . import limits, reaper


def run_evaluation(task: Task, genome: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Call the task's evaluator; return (parsed result, None) or (None, failure reason)."""
    try:
        return parse_result(task.evaluate(genome)), None
    except EvaluationError as err:
        return None, str(err)
    except MemoryError:
        return None, "out of memory (MemoryError)"
    except RecursionError:
        return None, "RecursionError: maximum recursion depth exceeded"
    except Exception as err:
        return None, f"{type(err).__name__}: {err}"[:2000]
    except SystemExit as err:
        return None, f"evaluator called exit({err.code})"


Outcome = tuple[dict[str, Any] | None, str | None, float]  # (parsed result, failure reason, seconds)


FailureCheck = Callable[[dict[str, Any]], "str | None"]


def failure_check(task: Task) -> FailureCheck | None:
    """What the task declares a failed evaluation, as ``check(result) -> reason or None``: a score at or
    below its ``failure_score`` (a sentinel such as -1000 for a broken program), or a truthy answer
    of its ``failure_reason(result)`` (the reason, or True). None when the task declares neither."""
    floor, predicate = task.failure_score, task.failure_reason
    if floor is None and predicate is None:
        return None
    if floor is not None and (isinstance(floor, bool) or not isinstance(floor, (int, float))):
        name = task.name
        return lambda result: f"task {name}: FAILURE_SCORE must be a number, got {type(floor).__name__}"

    def check(result: dict[str, Any]) -> str | None:
        if floor is not None and result["score"] <= floor:
            why = f"score {result['score']:g} is at or below the task's FAILURE_SCORE ({floor:g})"
            return f"{why}: {result['feedback']}"[:2000] if result.get("feedback") else why
        if predicate is not None:
            try:
                verdict = predicate(result)
            except Exception as err:
                return f"failure_reason() raised {type(err).__name__}: {err}"[:2000]
            if verdict:
                return str(verdict)[:2000] if isinstance(verdict, str) else "the task's failure_reason() says failed"
        return None

    return check


def _apply_failures(task: Task, outcomes: list[Outcome]) -> list[Outcome]:
    check = failure_check(task)
    if check is None:
        return outcomes
    out: list[Outcome] = []
    for parsed, reason, seconds in outcomes:
        why = check(parsed) if parsed is not None else None
        out.append((None, why, seconds) if why else (parsed, reason, seconds))
    return out


def failed_rows(task: Task, scores: Any, descriptors: Any = None) -> Any:
    """The array path's scores with the rows the task declares failed (see :func:`failure_check`)
    set to NaN, the array path's mark of a failed row."""
    check = failure_check(task)
    if check is None:
        return scores
    import numpy as np

    scores = np.array(scores, dtype=float)
    for i, score in enumerate(scores.tolist()):
        if score == score:  # not NaN already
            result: dict[str, Any] = {"score": score, "metrics": {}}
            if descriptors is not None:
                result["descriptors"] = descriptors[i].tolist()
            if check(result):
                scores[i] = np.nan
    return scores


def run_chunk(task: Task, genomes: list[Any]) -> list[Outcome]:
    """Evaluate several genomes: one ``evaluate_batch(genomes)`` call when the task has one (vectorised
    tasks), else one ``evaluate`` each. A batch call that fails falls back to one call per genome, so
    every failure keeps its own reason. Results the task declares failed (``FAILURE_SCORE``,
    ``failure_reason``) become failures with that reason."""
    return _apply_failures(task, _run_chunk(task, genomes))


def _run_chunk(task: Task, genomes: list[Any]) -> list[Outcome]:
    batch_fn = task.evaluate_batch
    if batch_fn is not None and len(genomes) > 1:
        start = time.perf_counter()
        try:
            results = list(batch_fn(genomes))
            if len(results) != len(genomes):
                raise EvaluationError(f"evaluate_batch returned {len(results)} results for {len(genomes)} genomes")
            per = (time.perf_counter() - start) / len(genomes)
            out: list[Outcome] = []
            for result in results:
                try:
                    out.append((parse_result(result), None, per))
                except EvaluationError as err:
                    out.append((None, str(err), per))
            return out
        except Exception:
            pass
    out = []
    for genome in genomes:
        start = time.perf_counter()
        parsed, reason = run_evaluation(task, genome)
        out.append((parsed, reason, time.perf_counter() - start))
    return out


def chunk_size(task: Task, n: int, workers: int) -> int:
    """Genomes per job: one (a timeout then kills exactly one evaluation), or an even share of the batch
    per worker for tasks with ``evaluate_batch``."""
    return max(1, -(-n // workers)) if task.evaluate_batch is not None else 1


def fill(cand: Candidate, parsed: dict[str, Any] | None, reason: str | None, seconds: float) -> None:
    """Record an outcome; ``parsed`` is already validated by :func:`parse_result`."""
    cand.eval_seconds = seconds
    if parsed is None:
        fail(cand, reason or "unknown failure", seconds)
        return
    cand.score = parsed["score"]
    cand.metrics = parsed.get("metrics", {})
    cand.descriptors = parsed.get("descriptors")
    cand.feedback = parsed.get("feedback")
    cand.status, cand.reason = "ok", None


def chunks(n: int, size: int) -> deque[tuple[int, int]]:
    return deque((lo, min(lo + size, n)) for lo in range(0, n, size))


def serve(recv: Callable[[], Any], send: Callable[[list[Outcome]], None], task: Task, memory_mb: int | None) -> None:
    """A worker's loop: evaluate each chunk received, send the outcomes, kill what the chunk started."""
    reaper.become_subreaper()
    sweeper = reaper.Sweeper()
    with limits.memory_limit(memory_mb):
        while True:
            try:
                genomes = recv()
            except (EOFError, OSError):
                return
            if genomes is None:
                return
            outcomes = run_chunk(task, genomes)
            sweeper.sweep()
            send(outcomes)
            if any((reason or "").startswith("out of memory") for _, reason, _ in outcomes):
                return  # start afresh rather than run on in a process that hit its limit


def exit_reason(code: int | None) -> str:
    if code is not None and code < 0 and -code in signal.Signals._value2member_map_:
        return f"evaluator process killed by signal {signal.Signals(-code).name}"
    return f"evaluator process exited with code {code}"
