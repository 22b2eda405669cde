"""XOR for the ``nn-quine`` recipe ("Neural Network Quine", Chang and Lipson, 2018, whose auxiliary task
is MNIST; here one a CPU learns in seconds): 2-D points around the four corners (+-1, +-1), spread
``spread``, labelled by whether their corner's coordinates have different signs. A genome is the record of
a quine network's weights; ``evaluate`` measures its self-replication error (the score is -log10 of it),
the regeneration loop from it and its accuracy on held-out points."""

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.quines.task import QuineTask

SEEDS = {"train": 1, "held-out": 2}  # the data's own streams, apart from every run's seed


@dataclass(kw_only=True)
class QuineXor(QuineTask):
    description: str = "a network that outputs its own weights and also learns XOR (recipe nn-quine)"
    spread: float = option(0.4, help="standard deviation of the points around their corner")

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (np.isfinite(self.spread) and self.spread > 0):
            raise ValueError(f"spread must be finite and > 0, got {self.spread}")

    def data(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(SEEDS[split])
        corners = rng.choice([-1.0, 1.0], size=(self.points if split == "train" else self.held_out, 2))
        labels = (corners[:, 0] != corners[:, 1]).astype(np.int64)
        return corners + self.spread * rng.standard_normal(corners.shape), labels


TASK = QuineXor()
