"""CMA-ES through the ``cma`` package (pycma) in ask/tell form: "Completely Derandomized
Self-Adaptation in Evolution Strategies" (Hansen & Ostermeier, 2001). One batch is one CMA generation
of ``popsize`` samples. The scores (maximised) are handed to pycma as f = -score, so a run with
``cma_seed=k`` matches a raw pycma loop with ``{'seed': k}`` evaluation for evaluation. When pycma's
stop criteria fire, the strategy restarts from SEED (seed + 1, as a raw loop doing the same would).
On the engine's array path (a task with ``evaluate_array``, in-process) the run file records each
generation's best sample rather than every sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.vectors import operators as vec


def make_strategy(x0: np.ndarray, sigma0: float, popsize: int, seed: int, bounds=None):
    try:
        import cma
    except ImportError:
        raise ConfigError("recipe 'cma-es' needs the cma package: pip install 'evoforge[numeric]'") from None
    opts = {"popsize": popsize, "seed": seed, "verbose": -9, "verb_log": 0, "verb_disp": 0}
    if bounds is not None:
        opts["bounds"] = [bounds[0], bounds[1]]
    return cma.CMAEvolutionStrategy(x0, sigma0, opts)


@register("cma-es")
@dataclass(kw_only=True)
class CMAES(Recipe):
    summary = "CMA-ES (pycma ask/tell); restarts when pycma stops (vectors)"
    genomes = ("vector", "bits")
    dedupe = False

    sigma0: float = param(1.0, low=0, low_open=True, help="initial step size")
    popsize: int = param(0, low=0, help="samples per generation (0: pycma's default 4 + 3 ln(n))")
    cma_seed: int = param(0, low=0, help="pycma's seed (0: drawn from the run's generator)")
    use_bounds: bool = param(False, help="pass the task's BOUNDS to pycma (its boundary handling)")

    x0: np.ndarray | None = state()
    bounds: Any = state()
    seed_now: int = state(0)  # pycma's seed for the current restart
    es: Any = state()  # the pycma strategy
    pending: list[np.ndarray] = state(factory=list)  # the generation asked for, awaiting its scores
    restarts: int = state(0)

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.popsize or 1_000_000  # pycma's default depends on the dimension: ask caps it

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.x0 = vec.as_vector(task.seed, self.name)
        self.bounds = task.bounds if self.use_bounds else None
        self.seed_now = self.cma_seed or int(rng.integers(1, 2**31 - 1))
        pop = self.popsize or 4 + int(3 * np.log(self.x0.size))
        self.es = make_strategy(self.x0, self.sigma0, pop, self.seed_now, self.bounds)
        self.pending = []
        self.restarts = 0

    def ask_array(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str]:
        self.pending = self.es.ask()
        rows = np.asarray(self.pending)[:n]
        return rows, np.full(len(rows), -1, dtype=np.int64), "cma-sample"

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        rows, _, op = self.ask_array(n, rng)
        return [Candidate(genome=g, operator=op) for g in rows.tolist()]

    def tell_array(
        self,
        rows: np.ndarray,
        scores: np.ndarray,
        descriptors: np.ndarray | None,
        ids: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        self._update(scores)
        finite = np.flatnonzero(np.isfinite(scores))
        return finite[[int(np.argmax(scores[finite]))]] if len(finite) else finite  # each generation's best

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        self._update(np.array([c.score if c.ok and c.score is not None else np.nan for c in candidates]))

    def _update(self, scores: np.ndarray) -> None:
        if len(scores) < len(self.pending):
            return  # the budget cut the last generation short: nothing to learn from a partial one
        f = np.where(np.isfinite(scores), -scores, np.nan)
        if np.isnan(f).any():  # failed evaluations rank last
            worst = np.nanmax(f) if (~np.isnan(f)).any() else 0.0
            f = np.where(np.isnan(f), worst + abs(worst) + 1.0, f)
        self.es.tell(self.pending, f.tolist())
        if self.es.stop():
            self.restarts += 1
            self.seed_now += 1
            self.es = make_strategy(self.x0, self.sigma0, self.es.popsize, self.seed_now, self.bounds)
