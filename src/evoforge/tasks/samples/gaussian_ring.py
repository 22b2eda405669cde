"""A ring of Gaussians in 2-D, the toy real distribution of generative-model studies (8 modes of standard
deviation 0.05 on the unit circle by default): the real data of the ``self-consuming`` recipe's loop. A
genome is the record of one generation's samples; ``evaluate`` scores it by precision and recall against
1000 held-out points (k-NN manifolds, k = 3) and reports its diversity beside theirs."""

import math
from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.samples.task import SampleTask


@dataclass(kw_only=True)
class GaussianRing(SampleTask):
    description: str = "8 Gaussians on a ring in 2-D: real data for self-consuming loops (recipe self-consuming)"
    modes: int = option(8, help="Gaussians on the ring, equally weighted and spaced")
    radius: float = option(1.0, help="radius of the ring")
    std: float = option(0.05, help="standard deviation of each Gaussian")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.modes < 1:
            raise ValueError(f"modes must be >= 1, got {self.modes}")
        if not (math.isfinite(self.radius) and self.radius >= 0):
            raise ValueError(f"radius must be finite and >= 0, got {self.radius}")
        if not (math.isfinite(self.std) and self.std > 0):
            raise ValueError(f"std must be finite and > 0, got {self.std}")

    def real(self, n: int, rng: np.random.Generator) -> np.ndarray:
        angle = 2 * np.pi * rng.integers(self.modes, size=n) / self.modes
        centres = self.radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        return centres + self.std * rng.standard_normal((n, 2))


TASK = GaussianRing()
