"""``gard``: GARD protocells ("Chemical heredity as group selection at the molecular level"; the Graded
Autocatalysis Replication Domain of Segrè, Lancet et al.). A population of ``assemblies`` assemblies grows
in the task's chemistry: molecules join at rates their assembly's molecules catalyse (the lognormal matrix
beta), an assembly that reaches ``size`` molecules splits in two, and with ``compete`` the new half
replaces a random assembly (selection between assemblies; ``compete=false`` is the control, every lineage
keeps one assembly). Compositional genomes (*composomes*) appear as quasi-stationary compositions that
lineages keep across splits (high H between consecutive splits); the multilevel Price equation splits the
change of the mean catalytic activity into selection between assemblies and change within them.

Why a recipe with a task, like ``bff``: the population is the recipe's state (count arrays in the signed
checkpoint; every draw comes from the engine's generator, so a run resumes exactly after kill -9); each
batch runs ``every`` generations (a generation: as many splits as assemblies) and proposes one candidate,
the record of the stretch (kind ``protocell``); the task scores it again with its own chemistry. The run
ends after ``generations`` generations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.protocells import report as protocell_report


@register("gard")
@dataclass(kw_only=True)
class Gard(Recipe):
    summary = "GARD protocells: composomes emerge; the Price equation splits selection between/within assemblies"
    genomes = ("protocell",)
    dedupe = False
    default_budget: ClassVar[int | None] = None  # type: ignore[assignment]  # generations end the run

    batch_size: int = param(1, low=1, high=1, help="one record per batch (every `every` generations)")
    assemblies: int = param(64, low=3, help="assemblies in the population")
    size: int = param(80, low=2, help="molecules at which an assembly splits in two (N_max)")
    compete: bool = param(True, help="the new half of a split replaces a random assembly (false: it is discarded)")
    generations: int = param(100, low=1, help="generations to run (one: as many splits as assemblies)")
    every: int = param(1, low=1, help="generations per record (the Price equation's stretch)")
    leap: float = param(1.0, low=0.01, high=100, help="events per growth step of the fastest assembly (tau-leaping)")

    task: Task | None = state()  # pickled as its name and options: reloaded on resume
    counts: np.ndarray | None = state()  # assemblies x types
    last: np.ndarray | None = state()  # each assembly's composition at its previous split (zeros: none yet)
    generation: int = state(0)
    time: float = state(0.0)
    history: list[dict[str, Any]] = state(factory=list)  # one row per record (report and answer)
    focal: list[list[int]] = state(factory=list)  # the focal lineage's compositions at its splits, all records

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        from evoforge.genomes.protocells.task import ProtocellTask

        if not isinstance(task.value, ProtocellTask):
            raise ConfigError(f"recipe {self.name!r} needs a task whose TASK is a ProtocellTask; task {task.name!r} "
                              f"has {type(task.value).__name__}")  # fmt: skip

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        from evoforge.genomes.protocells.assemblies import start

        self.task = task
        self.counts = start(self.assemblies, self._value().types, self.size, rng)
        self.last = np.zeros_like(self.counts)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        from evoforge.genomes.protocells.assemblies import advance, descendants

        assert self.counts is not None and self.last is not None
        before = self.counts.copy()
        if not self.history and self.generation == 0:  # the first population, once: the run's seed
            return [Candidate(genome=self._record(before, before, [], 0, None), operator="seed")]
        k = max(1, min(self.every, self.generations - self.generation))
        value = self._value()
        done = advance(self.counts, self.last, value.beta, rng, splits=k * self.assemblies, size=self.size,
                       kf=value.kf, kb=value.kb, compete=self.compete, leap=self.leap)  # fmt: skip
        self.generation += k
        self.time += done.time
        after = descendants(self.counts, done.founders, self.assemblies)
        fidelity = round(float(np.mean(done.fidelity)), 5) if done.fidelity else None
        record = self._record(before, after, done.focal, done.splits, fidelity)
        return [Candidate(genome=record, operator="generations")]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            self.history.append(protocell_report.row(cand.genome, cand.metrics if cand.ok else {}))
            self.focal.extend(cand.genome.get("focal", []))

    def stop_reason(self) -> str | None:
        return f"{self.generations} generations run" if self.generation >= self.generations else None

    def report(self, store: Any) -> str | None:
        how = "competing (a split's new half replaces a random assembly)" if self.compete else "not competing"
        title = f"gard: {self.assemblies} assemblies splitting at {self.size} molecules, {how}"
        return protocell_report.table(self.history, title=title, focal=self.focal)

    def answer(self, store: Any) -> dict[str, Any] | None:
        from evoforge.genomes.protocells.similarity import composomes

        scored = [r for r in self.history[1:] if r["between"] is not None]
        if not scored:
            return None
        sums = {k: round(sum(r[k] for r in scored), 6) for k in ("total", "between", "within")}
        fidelity = [r["fidelity"] for r in scored if r["fidelity"] is not None]
        found, share = composomes(self.focal)
        genome = {"generation": scored[-1]["generation"], "price_summed": sums,
                  "fidelity_mean": round(float(np.mean(fidelity)), 4) if fidelity else None,
                  "focal_splits": len(self.focal), "composomes": found, "in_composomes": round(share, 4)}  # fmt: skip
        return {"what": f"the population after {scored[-1]['generation']} generations: the Price split summed",
                "genome": genome, "score": scored[-1]["activity"],
                "score_on": "mean catalytic activity (log10) of the population's molecules",
                "seed": {"score": self.history[0]["activity"], "on": "the first population"}}  # fmt: skip

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """The Price terms summed over generations, and replication fidelity."""
        protocell_report.draw(ax, store)

    def _record(self, before: np.ndarray, after: np.ndarray, focal: list, splits: int, fidelity: Any) -> dict:
        from evoforge.genomes.protocells.similarity import mean_pairwise
        from evoforge.genomes.protocells.task import make_record

        assert self.counts is not None
        return make_record(before, after, focal, generation=self.generation, time=round(self.time, 6), size=self.size,
                           compete=self.compete, splits=splits, fidelity=fidelity,
                           similarity=round(mean_pairwise(self.counts), 5))  # fmt: skip

    def _value(self) -> Any:
        from evoforge.genomes.protocells.task import ProtocellTask

        assert self.task is not None and isinstance(self.task.value, ProtocellTask)
        return self.task.value
