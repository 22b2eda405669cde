"""``nn-quine``: a neural network that outputs its own weights ("Neural Network Quine", Chang and Lipson,
2018). A small tanh network is asked for each of its weights by the weight's coordinate embedding (a fixed
random projection of its index) and trained by Adam to minimise the self-replication loss, optionally with
an auxiliary task (the task's classification data, weight ``aux``) and with the paper's regeneration steps
interleaved (every ``regenerate`` steps the weights are replaced by their predictions). ``replicate=0``
trains the auxiliary task alone: the control of the trade-off.

Why a recipe with a task, like ``bff``: the network and Adam's moments are the recipe's state (arrays in
the signed checkpoint; training is deterministic and the only draws, the first weights and the projection's
seed, come from the engine's generator, so a run resumes exactly after kill -9); each batch trains
``every`` steps and proposes one candidate, the record of the weights (kind ``quine``); the task scores it
again: self-replication error, the regeneration loop, held-out accuracy. The first record is the random
network, the regeneration loop's control. The run ends after ``steps`` steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.quines import report as quine_report


@register("nn-quine")
@dataclass(kw_only=True)
class NnQuine(Recipe):
    summary = "a neural network trained to output its own weights, with regeneration and an auxiliary task"
    genomes = ("quine",)
    dedupe = False
    default_budget: ClassVar[int | None] = None  # type: ignore[assignment]  # steps end the run

    batch_size: int = param(1, low=1, high=1, help="one record per batch (every `every` steps)")
    embed: int = param(16, low=1, high=1024, help="size of a weight's coordinate embedding (the random projection)")
    hidden: int = param(16, low=1, high=1024, help="hidden units (tanh, no biases)")
    steps: int = param(3000, low=1, help="training steps (full batches)")
    every: int = param(100, low=1, help="training steps per record")
    lr: float = param(0.003, low=0, high=1, low_open=True, help="Adam's learning rate")
    replicate: float = param(1.0, low=0, help="weight of the self-replication loss (0: the auxiliary task alone)")
    aux: float = param(0.0, low=0, help="weight of the auxiliary task's cross-entropy (0: a pure quine)")
    regenerate: int = param(0, low=0, help="replace the weights by their predictions every this many steps (0: never)")

    task: Task | None = state()  # pickled as its name and options: reloaded on resume
    theta: np.ndarray | None = state()
    adam: Any = state()  # genomes.quines.train.Adam
    seed: int = state(0)  # the projection's seed
    step: int = state(0)
    losses: tuple[float, float] = state((float("nan"), float("nan")))  # the last step's (self-replication, aux)
    history: list[dict[str, Any]] = state(factory=list)  # one row per record (report and answer)

    def validate(self) -> None:
        super().validate()
        if self.replicate == 0 and self.aux == 0:
            raise ConfigError(f"recipe {self.name!r}: replicate and aux cannot both be 0 (nothing to train)")

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        from evoforge.genomes.quines.net import Shape
        from evoforge.genomes.quines.task import QuineTask

        if not isinstance(task.value, QuineTask):
            raise ConfigError(f"recipe {self.name!r} needs a task whose TASK is a QuineTask; task {task.name!r} "
                              f"has {type(task.value).__name__}")  # fmt: skip
        weights = Shape(self.embed, self.hidden, task.value.aux, task.value.classes).weights
        if weights > 200_000:
            raise ConfigError(f"recipe {self.name!r}: {weights} weights is too many for a CPU quine (at most 200000)")

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        from evoforge.genomes.quines.net import initial
        from evoforge.genomes.quines.train import Adam

        self.task = task
        self.seed = int(rng.integers(2**31))
        self.theta = initial(self._shape(), rng)
        self.adam = Adam(len(self.theta), self.lr)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        from evoforge.genomes.quines import net
        from evoforge.genomes.quines.train import losses_and_gradient

        assert self.theta is not None
        if not self.history and self.step == 0:  # the random network, once: the run's seed and control
            return [Candidate(genome=self._record(), operator="random")]
        shape, value = self._shape(), self._value()
        queries = net.weight_queries(shape, net.projection(shape, self.seed))
        points, labels = value.data("train")
        data = (net.data_queries(shape, points), labels)
        for _ in range(max(1, min(self.every, self.steps - self.step))):
            sr, ce, grad = losses_and_gradient(shape, self.theta, queries, data, replicate=self.replicate, aux=self.aux)
            self.theta = self.adam.step(self.theta, grad)
            self.step += 1
            if self.regenerate and self.step % self.regenerate == 0:
                self.theta = net.replicate(shape, self.theta, queries)
            self.losses = (sr, ce)
        return [Candidate(genome=self._record(), operator="training")]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            self.history.append(quine_report.row(cand.genome, cand.metrics if cand.ok else {}))

    def stop_reason(self) -> str | None:
        return f"{self.steps} steps run" if self.step >= self.steps else None

    def report(self, store: Any) -> str | None:
        shape = self._shape()
        title = (f"nn-quine: {shape.weights} weights ({self.embed} embedding, {self.hidden} hidden), loss = "
                 f"{self.replicate:g} x self-replication + {self.aux:g} x auxiliary"
                 + (f", regeneration every {self.regenerate} steps" if self.regenerate else ""))  # fmt: skip
        return quine_report.table(self.history, title=title)

    def answer(self, store: Any) -> dict[str, Any] | None:
        if len(self.history) < 2 or self.history[-1]["replication_error"] is None:
            return None
        first, last = self.history[0], self.history[-1]
        genome = {k: last[k] for k in ("step", *quine_report.MEASURES)}
        score = -float(np.log10(max(last["replication_error"], 1e-12)))
        return {"what": f"the network after {last['step']} training steps", "genome": genome, "score": round(score, 6),
                "score_on": "-log10 of its self-replication error",
                "seed": {"score": round(-float(np.log10(max(first["replication_error"], 1e-12))), 6),
                         "on": "the random network"}}  # fmt: skip

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """Self-replication error and held-out accuracy per training step."""
        quine_report.draw(ax, store)

    def _record(self) -> dict[str, Any]:
        from evoforge.genomes.quines.task import make_record

        assert self.theta is not None
        sr, ce = self.losses
        return make_record(self._shape(), self.theta, step=self.step, seed=self.seed, replicate=self.replicate,
                           aux_weight=self.aux, sr_train=None if np.isnan(sr) else round(sr, 8),
                           ce_train=None if np.isnan(ce) else round(ce, 6))  # fmt: skip

    def _shape(self) -> Any:
        from evoforge.genomes.quines.net import Shape

        value = self._value()
        return Shape(self.embed, self.hidden, value.aux, value.classes)

    def _value(self) -> Any:
        from evoforge.genomes.quines.task import QuineTask

        assert self.task is not None and isinstance(self.task.value, QuineTask)
        return self.task.value
