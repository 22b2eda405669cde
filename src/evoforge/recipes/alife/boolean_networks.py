"""``boolean-networks``: Boolean networks evolved under noise ("Noisy dynamical systems evolve error
correcting codes and modularity", McCourt, Fiete and Chuang, 2023). A population of random networks (``nodes``
nodes, ``inputs`` inputs each, a lookup table per node) evolves by a genetic algorithm (elitism,
tournaments, point mutations of tables and wiring) to run the task's target cycle on its output nodes while
each node's update flips with probability ``noise``. Run with ``noise=0`` it is the control: the same
target without noise. The paper's signature: evolved under noise, networks correct errors (redundancy)
and hold the cycle at noise they were never trained at, where the control falls apart.

Why a recipe with a task, like ``bff``: the population is the recipe's state (two arrays in the signed
checkpoint, so a run resumes exactly after kill -9; every draw comes from the engine's generator), the
whole population is scored at once (bit-parallel runs, :mod:`evoforge.genomes.boolnets.fitness`), and
each batch runs ``every`` generations and proposes one candidate, the record of the generation (kind
``boolnet``: its fittest network); the task scores that network again at fixed noise levels and measures
its error correction and modularity. The run ends after ``generations`` generations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.boolnets import report as boolnet_report


@register("boolean-networks")
@dataclass(kw_only=True)
class BooleanNetworks(Recipe):
    summary = "Boolean networks evolved under noise gain error correction (a control: noise=0)"
    genomes = ("boolnet",)
    dedupe = False
    default_budget: ClassVar[int | None] = None  # type: ignore[assignment]  # generations end the run

    batch_size: int = param(1, low=1, high=1, help="one record per batch (every `every` generations)")
    population: int = param(200, low=2, help="networks in the population")
    nodes: int = param(24, low=1, high=1024, help="nodes per network (the first ones are the outputs)")
    inputs: int = param(3, low=1, high=8, help="inputs per node (K); a table has 2^K entries")
    noise: float = param(0.02, low=0, high=0.5, help="chance a node's update flips while evolving (0: the control)")
    generations: int = param(400, low=1, help="generations to run")
    every: int = param(10, low=1, help="generations per record")
    elite: int = param(4, low=0, help="fittest networks passed on unchanged")
    tournament: int = param(3, low=1, help="networks per selection tournament")
    mutation: float = param(1.0, low=0, high=64, help="mean point mutations per child (Poisson)")

    task: Task | None = state()  # pickled as its name and options: reloaded on resume
    wiring: np.ndarray | None = state()  # population x nodes x inputs
    tables: np.ndarray | None = state()  # population x nodes x 2^inputs, 0/1
    scores: np.ndarray | None = state()  # the current population's fitness under `noise`
    generation: int = state(0)
    history: list[dict[str, Any]] = state(factory=list)  # one row per record (report and answer)

    def validate(self) -> None:
        super().validate()
        if self.elite >= self.population:
            raise ConfigError(f"recipe {self.name!r}: elite ({self.elite}) must be < population ({self.population})")

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        from evoforge.genomes.boolnets.task import BoolnetTask

        if not isinstance(task.value, BoolnetTask):
            raise ConfigError(f"recipe {self.name!r} needs a task whose TASK is a BoolnetTask; task {task.name!r} "
                              f"has {type(task.value).__name__}")  # fmt: skip
        outputs = task.value.cycle.shape[1]
        if outputs > self.nodes:
            raise ConfigError(f"recipe {self.name!r}: nodes ({self.nodes}) must be >= the target's {outputs} outputs")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        from evoforge.genomes.boolnets.network import random_networks

        self.task = task
        self.wiring, self.tables = random_networks(self.population, self.nodes, self.inputs, rng)
        self.scores = self._value().fitness(self.wiring, self.tables, self.noise, rng)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        from evoforge.genomes.boolnets.evolve import next_generation

        assert self.wiring is not None and self.tables is not None and self.scores is not None
        operator = "seed"
        if self.history or self.generation > 0:  # after the random population's record: `every` generations
            for _ in range(max(1, min(self.every, self.generations - self.generation))):
                self.wiring, self.tables = next_generation(
                    self.wiring, self.tables, self.scores, rng,
                    elite=self.elite, tournament=self.tournament, mutation=self.mutation,
                )  # fmt: skip
                self.scores = self._value().fitness(self.wiring, self.tables, self.noise, rng)
                self.generation += 1
            operator = "generations"
        return [Candidate(genome=self._record(), operator=operator)]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            self.history.append(boolnet_report.row(cand.genome, cand.metrics if cand.ok else {}))

    def stop_reason(self) -> str | None:
        return f"{self.generations} generations run" if self.generation >= self.generations else None

    def report(self, store: Any) -> str | None:
        value = self._value()
        title = (f"boolean-networks: evolved at noise {self.noise:g} on target {value.target}; the fittest network "
                 "as the task scores it")  # fmt: skip
        return boolnet_report.table(self.history, title=title, noise=value.noise, noise_high=value.noise_high)

    def answer(self, store: Any) -> dict[str, Any] | None:
        if len(self.history) < 2 or self.history[-1]["fitness_noise"] is None:
            return None
        first, last = self.history[0], self.history[-1]
        value = self._value()
        genome = {k: last[k] for k in ("generation", *boolnet_report.MEASURES)}
        return {"what": f"the fittest network of generation {last['generation']}", "genome": genome,
                "score": last["fitness_noise"], "score_on": f"its fitness at noise {value.noise:g} (task's stream)",
                "seed": {"score": first["fitness_noise"], "on": "the fittest random network of generation 0"},
                }  # fmt: skip

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """Fitness at the task's noise and beyond, error correction and modularity per generation."""
        boolnet_report.draw(ax, store)

    def _record(self) -> dict[str, Any]:
        from evoforge.genomes.boolnets.task import make_record

        assert self.wiring is not None and self.tables is not None and self.scores is not None
        best = int(np.argmax(self.scores))
        return make_record(self.wiring, self.tables, self.scores, best, generation=self.generation, noise=self.noise,
                           target=self._value().target)  # fmt: skip

    def _value(self) -> Any:
        from evoforge.genomes.boolnets.task import BoolnetTask

        assert self.task is not None and isinstance(self.task.value, BoolnetTask)
        return self.task.value
