"""``self-consuming``: a generative model trained generation after generation on its own samples
("Self-Consuming Generative Models Go MAD", Alemohammad et al., 2024), optionally with a correction of
its samples ("Self-Correcting Self-Consuming Loops for Generative Model Training", Gillman et al., 2024).

The model is a Gaussian mixture (``components`` Gaussians, fitted by EM: seconds on a CPU); the real data
is the task's distribution (``gaussian-ring``). Generation 1 trains on ``samples`` real points; every
later generation trains on the previous generation's ``samples`` samples, drawn with sampling bias
``bias`` (lambda: covariances shrunk, higher quality, less diversity) and corrected at strength
``correction``, plus, by ``regime``, nothing (``fully-synthetic``), the first ``real`` points of the
original data (``augmentation``) or ``real`` new real points (``fresh``).

Why a recipe with a task, like ``bff``: the loop is the recipe's state (the data the next generation
trains on, in the signed checkpoint, so a run resumes exactly; every draw comes from the engine's
generator), each batch is one generation and proposes one candidate, the record of that generation's
samples (kind ``samples``), and the task, the real distribution, scores it: precision and recall against
its held-out real data. The first record is the original real data itself, the estimator's ceiling.
The run ends after ``generations`` generations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.samples import report as samples_report
from evoforge.genomes.samples.loop import CORRECTIONS, REGIMES


@register("self-consuming")
@dataclass(kw_only=True)
class SelfConsuming(Recipe):
    summary = "generative model trained on its own samples: the MAD loop in three regimes, with a correction"
    genomes = ("samples",)
    dedupe = False
    default_budget: ClassVar[int | None] = None  # type: ignore[assignment]  # generations end the run

    batch_size: int = param(1, low=1, high=1, help="one generation per batch")
    regime: str = param("fully-synthetic", choices=REGIMES, help="what each generation trains on besides its samples")
    generations: int = param(20, low=1, help="generations of models to train")
    samples: int = param(500, low=4, help="real points generation 1 trains on; samples each generation draws")
    real: int = param(100, low=0, help="real points added per generation: augmentation's fixed set or fresh ones")
    components: int = param(8, low=1, help="Gaussians in the mixture model")
    bias: float = param(1.0, low=0, high=1, low_open=True, help="sampling bias lambda: covariances times it (1: none)")
    correction: float = param(0.0, low=0, high=1, help="correction strength s applied to samples before training")
    correction_kind: str = param("projection", choices=CORRECTIONS, help="projection: toward the nearest expert "
                                 "point; ideal: replaced by a true draw")  # fmt: skip
    reference: int = param(1000, low=1, help="real points in the expert's reference set (projection)")

    task: Task | None = state()  # pickled as its name and options: reloaded on resume
    original: np.ndarray | None = state()  # the real data generation 1 trains on
    expert: np.ndarray | None = state()  # the projection's reference set
    synthetic: np.ndarray | None = state()  # the last generation's samples, corrected: the next one's data
    generation: int = state(0)
    history: list[dict[str, Any]] = state(factory=list)  # one row per record (report and answer)

    def validate(self) -> None:
        super().validate()
        if self.components > self.samples:
            raise ConfigError(
                f"recipe {self.name!r}: components ({self.components}) must be <= samples ({self.samples})"
            )
        if self.regime == "augmentation" and self.real > self.samples:
            raise ConfigError(f"recipe {self.name!r}: real ({self.real}) must be <= samples ({self.samples}) in the "
                              "augmentation regime (its fixed set is part of the original data)")  # fmt: skip

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        from evoforge.genomes.samples import mixture
        from evoforge.genomes.samples.task import SampleTask

        if not isinstance(task.value, SampleTask):
            raise ConfigError(f"recipe {self.name!r} needs a task whose TASK is a SampleTask; task {task.name!r} "
                              f"has {type(task.value).__name__}")  # fmt: skip
        if not mixture.available():
            raise ConfigError(
                f"recipe {self.name!r} needs scikit-learn (its Gaussian mixture): pip install 'evoforge[dynamics]'"
            )

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.task = task
        self.original = self._real(self.samples, rng)
        if self.correction > 0 and self.correction_kind == "projection":
            self.expert = self._real(self.reference, rng)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        from evoforge.genomes.samples import loop, mixture
        from evoforge.genomes.samples.task import make_record

        assert self.original is not None
        if not self.history and self.generation == 0:  # the original real data, once: the run's seed
            return [Candidate(genome=make_record(self.original, generation=0, source="real"), operator="real")]
        real = None
        if self.generation == 0:
            train = self.original
        else:
            assert self.synthetic is not None
            real = self.original[: self.real] if self.regime == "augmentation" else self._real(self.real, rng)
            train = loop.training_set(self.regime, self.synthetic, real)
        model = mixture.fit(train, self.components, int(rng.integers(2**31)))
        drawn = mixture.sample(model, self.samples, rng, self.bias)
        if self.correction > 0 and self.correction_kind == "projection":
            assert self.expert is not None
            self.synthetic = loop.project(drawn, self.expert, self.correction)
        elif self.correction > 0:
            self.synthetic = loop.ideal(drawn, self.correction, lambda k: self._real(k, rng), rng)
        else:
            self.synthetic = drawn
        self.generation += 1
        real_in_training = len(train) if self.generation == 1 else len(train) - len(self.synthetic)
        how = {"regime": self.regime, "bias": self.bias, "correction": self.correction,
               "correction_kind": self.correction_kind, "trained_on": len(train),
               "real_in_training": real_in_training}  # fmt: skip
        record = make_record(drawn, generation=self.generation, source="model", **how)
        return [Candidate(genome=record, operator="generation")]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            self.history.append(samples_report.row(cand.genome, cand.metrics if cand.ok else {}, cand.score))

    def stop_reason(self) -> str | None:
        return f"{self.generations} generations run" if self.generation >= self.generations else None

    def report(self, store: Any) -> str | None:
        fix = f"{self.correction_kind} correction {self.correction:g}" if self.correction else "no correction"
        title = f"self-consuming ({self.regime}, bias {self.bias:g}, {fix}): precision and recall vs held-out real data"
        return samples_report.table(self.history, title=title)

    def answer(self, store: Any) -> dict[str, Any] | None:
        models = [r for r in self.history if r["source"] == "model"]
        if not models:
            return None
        first, last = models[0], models[-1]
        genome = {k: last[k] for k in ("generation", "precision", "recall", "diversity", "real_diversity")}
        return {"what": f"the model of generation {last['generation']}: its samples against held-out real data",
                "genome": genome, "score": last["score"],
                "score_on": "harmonic mean of precision and recall vs held-out real data",
                "seed": {"score": first["score"], "on": "generation 1, trained on real data"}}  # fmt: skip

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """Precision and recall per generation, and the real data's own."""
        samples_report.draw(ax, store)

    def _real(self, n: int, rng: np.random.Generator) -> np.ndarray:
        from evoforge.genomes.samples.task import SampleTask

        assert self.task is not None and isinstance(self.task.value, SampleTask)
        return self.task.value.real(n, rng)
