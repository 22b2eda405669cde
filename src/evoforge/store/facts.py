"""What a run file tells its readers besides the candidates, as plain JSON in meta: the recipe's own
answer (``answer``), proposals it dropped before evaluation (``discarded``) and the seed's score
(``seed``, for recipes that never evaluate the task's SEED). Written by the run, read by ``show``,
the end of ``run``, ``compare``, ``export`` and the dashboard (one function per fact, so that they
agree); nothing here is ever unpickled."""

from __future__ import annotations

import math
from typing import Any

from evoforge.core.candidate import REJECTED, Candidate
from evoforge.core.kinds import genome_kind
from evoforge.core.recipe import Recipe

from .rows import dumps
from .run_file import RunStore

SEED_AFTER_RUN = "evaluated once after the run, outside its budget"


def recipe_facts(recipe: Recipe, store: RunStore) -> dict[str, Any]:
    """Meta values from the recipe's ``answer`` and ``discarded`` hooks (only those it overrides). A
    hook that fails leaves a one-line note instead: these are extras and must not end the run."""
    facts: dict[str, Any] = {}
    kind = type(recipe)
    if kind.answer is not Recipe.answer:
        try:
            facts["answer"] = _plain(recipe.answer(store))
        except Exception as err:
            facts["answer"] = {"error": f"{type(err).__name__}: {err}"[:300]}
    if kind.discarded is not Recipe.discarded:
        try:
            facts["discarded"] = {str(k): int(v) for k, v in (recipe.discarded() or {}).items() if v}
        except Exception as err:
            facts["discarded"] = {f"(not counted: {type(err).__name__})": 0}
    return facts


def _plain(value: Any) -> Any:
    """JSON-able form of a hook's value (numpy arrays and scalars become lists and numbers)."""
    import json

    return None if value is None else json.loads(dumps(value) or "null")


def record_seed(engine: Any, executor: Any) -> None:
    """Evaluate the task's SEED once after a run whose recipe never did (no ``seed`` candidate and
    no seed score in its answer), so that every run states where it started. Not for tasks that call
    a model or whose genomes are checkpoints: that evaluation would cost what the budget limits."""
    store: RunStore | None = engine.store
    if store is None or store.meta("seed") is not None or seed_score(store) is not None:
        return
    task = engine.task
    try:
        costly = task.uses_model or genome_kind(task) == "weights"
    except Exception:
        costly = True
    if costly:
        return
    cand = Candidate(genome=task.seed, id=-1, operator="seed")
    executor.evaluate([cand])
    entry = {"score": cand.score if cand.ok else None, "status": cand.status, "reason": cand.reason}
    store.describe(None, None, {"seed": {**entry, "on": SEED_AFTER_RUN}})


def seed_score(store: RunStore) -> dict[str, Any] | None:
    """The seed's score as ``{"score", "status", "reason", "on"}``: measured as the recipe's answer
    was (its answer's ``seed``), else its evaluation in the run (operator ``seed``), else the one
    made after the run; None when the run has none."""
    answer = store.meta("answer")
    if isinstance(answer, dict) and isinstance(answer.get("seed"), dict) and _number(answer["seed"].get("score")):
        return {"status": "ok", "reason": None, **answer["seed"]}
    seed = next(store.candidates(operator="seed", exclude=REJECTED), None)
    if seed is not None:
        return {"score": seed.score, "status": seed.status, "reason": seed.reason, "on": f"candidate {seed.id}"}
    stored = store.meta("seed")
    return stored if isinstance(stored, dict) else None


def recipe_answer(store: RunStore) -> dict[str, Any] | None:
    """The recipe's own answer (see :meth:`Recipe.answer`), or None when the best candidate is the answer."""
    answer = store.meta("answer")
    return answer if isinstance(answer, dict) else None


def discarded(store: RunStore) -> dict[str, int]:
    """Proposals not evaluated, by reason: the engine's rejections (exact duplicates) and the recipe's
    own count of unusable or near-duplicate proposals, most frequent first."""
    counts: dict[str, int] = {}
    for reason, n in store.count_reasons(REJECTED):
        counts[reason or "rejected"] = n
    own = store.meta("discarded")
    if isinstance(own, dict):
        for reason, n in own.items():
            if isinstance(n, int) and n > 0:
                counts[str(reason)] = counts.get(str(reason), 0) + n
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def run_counts(store: RunStore) -> dict[str, int]:
    """The counts ``show`` and the dashboard print: stored candidates by status (ok, failed, rejected)
    and ``discarded``, every proposal not evaluated (the rejected ones and the recipe's own count)."""
    by_status = store.count_by_status()
    counts = {status: int(by_status.get(status, 0)) for status in ("ok", "failed", REJECTED)}
    return {**counts, "discarded": sum(discarded(store).values())}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
