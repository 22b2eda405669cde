"""Planning cells of the prompt evolution benchmark: Mind Evolution, best-of-N, sequential revision and
co-scientist on meeting-scheduling instances at equal model calls, and their table."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import _harness as h  # result rows and tables

PLANNERS = ("mind-evolution", "best-of-n", "sequential-revision", "co-scientist")
PLANNING = Path(__file__).with_name("results") / "prompt_evolution.jsonl"  # planning rows carry "instance"

_PLANNER = None


def planning_model():
    """The task model without the response cache: an answer from an earlier run's cache would be a
    call that the model's budget does not count (co-scientist once used 44 of 40 that way)."""
    global _PLANNER
    if _PLANNER is None:
        from evoforge.genomes.prompts import task as prompt_task

        _PLANNER = prompt_task.new_task_model(cache=False)
    return _PLANNER


def run_planner(
    system: str, instance: int, calls: int, seed: int, people: int = 4, duration: int = 60, params: dict | None = None
) -> dict:
    import numpy as np

    from evoforge.core.task import load_task
    from evoforge.genomes.prompts.solutions import say

    task = load_task("meeting-scheduling", {"instance": instance, "people": people, "duration": duration})
    model = planning_model()
    start = model.usage.total

    def used() -> int:
        return (model.usage.total.calls + model.usage.total.cache_hits) - (start.calls + start.cache_hits)

    problem = task.value.problem
    rng = np.random.default_rng([seed, instance])
    best = 0.0
    extra: dict = {}
    if system in ("mind-evolution", "co-scientist"):
        from evoforge.core.budget import Budget
        from evoforge.recipes.registry import get_recipe
        from evoforge.run.engine import Engine
        from evoforge.run.executors import InProcessExecutor

        defaults = {"batch_size": 2, "islands": 2} if system == "mind-evolution" else {"batch_size": 2, "debates": 2}
        recipe = get_recipe(system).from_params({**defaults, **(params or {})})
        recipe.model = model

        class UntilSolved(Budget):
            """Stops at the call budget, or once a schedule is solved."""

            def stop_reason(self, *spent) -> str | None:
                solved = (engine.state.best_score or 0) >= 1
                return super().stop_reason(*spent) or ("calls" if used() >= calls or solved else None)

        engine = Engine(task, recipe, seed=seed * 1000 + instance, budget=UntilSolved(evaluations=10_000))
        model.budget = Budget(max_calls=start.answers + calls)  # answers: cached ones count too
        try:  # the model refuses the call past the budget, so a batch cannot overshoot it
            engine.run(InProcessExecutor(task, None))
        finally:
            model.budget = None
        best = engine.state.best_score or 0.0
        if system == "co-scientist":
            extra = {
                "elo_spearman": recipe.elo_correlation(),
                "debates": recipe.matches,
                "draws": recipe.draws,
                "judge_right": recipe.verdicts[True],
                "judge_wrong": recipe.verdicts[False],
            }
    elif system == "best-of-n":
        while used() < calls and best < 1:
            best = max(best, task.evaluate(say(model, problem, rng, "sample", max_tokens=48))["score"])
    else:
        text = say(model, problem, rng, "sample", max_tokens=48)
        result = task.evaluate(text)
        best = result["score"]
        while used() < calls and best < 1:
            text = say(
                model,
                f"{problem}\n\nYour proposal: {text}\nChecker: {result['feedback']}\n\n"
                f"Write a corrected solution that fixes these problems. Answer with the solution only.",
                rng,
                "revise",
                max_tokens=48,
            )
            result = task.evaluate(text)
            best = max(best, result["score"])
    return {"success": int(best >= 1), "best_score": best, "calls": used(), **extra}


def planning_table(path: Path = PLANNING) -> h.Table:
    """Planning rows per (system with its settings, calls): success, mean best, calls used, co-scientist's
    Elo-score correlation and judge verdicts."""
    latest = h.latest(
        (r for r in h.read_rows(path) if "instance" in r),  # a re-run of a cell replaces it
        lambda r: (
            r["system"],
            r.get("people", 4),
            r.get("duration", 60),
            r["budget_calls"],
            r["instance"],
            r.get("seed", 0),
            r.get("model", "embedded"),
            json.dumps(r.get("params", {}), sort_keys=True),
        ),
    )

    def cell(r: dict) -> tuple[str, int]:
        model = "" if r.get("model", "embedded") == "embedded" else f", {r['model']}"
        model += "".join(f", {k}={v}" for k, v in sorted(r.get("params", {}).items()))
        return f"{r['system']} ({r.get('people', 4)}p, {r.get('duration', 60)}min{model})", r["budget_calls"]

    t = h.Table(
        [
            ("system", "left"),
            ("calls", "right"),
            ("instances", "right"),
            ("success", "right"),
            ("mean best", "right"),
            ("mean calls used", "right"),
            ("Elo~score rho", "right"),
            ("judge right", "right"),
        ]
    )
    for (system, calls), rs in sorted(h.group(latest.values(), cell).items()):
        rhos = h.summarise(r.get("elo_spearman") for r in rs)
        right, wrong = (sum(r.get(k, 0) for r in rs) for k in ("judge_right", "judge_wrong"))
        best = h.summarise(r.get("best_score") for r in rs)
        t.add(
            system,
            calls,
            len(rs),
            f"{statistics.mean(r['success'] for r in rs):.2f}",
            h.fmt(best and best.mean, ".3f"),
            f"{statistics.mean(r['calls'] for r in rs):.1f}",
            f"{rhos.median:+.2f} (n={rhos.n})" if rhos else "-",
            f"{right}/{right + wrong}" if right + wrong else "-",
        )
    t.notes.append(
        "Elo~score rho: median over instances of the Spearman correlation between co-scientist's Elo "
        "ratings and the checker's scores of the debated proposals (ties share their mean rank); judge "
        "right: decisive verdicts naming the proposal the checker scores higher, of all decisive verdicts "
        "between proposals it scores differently"
    )
    return t
