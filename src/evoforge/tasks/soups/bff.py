"""The BFF primordial soup for the ``bff`` recipe ("Computational Life", Agüera y Arcas et al., 2024): a
genome is a record of the soup after some epochs; ``evaluate`` checks it, scores its high-order entropy
(bits per byte: about 0 for random bytes, several once self-replicators have taken over) and runs its
most common tape again to see whether it copies itself."""

from dataclasses import dataclass
from typing import Any

import numpy as np

from evoforge.genomes.soups.task import SoupTask, make_record


@dataclass(kw_only=True)
class BffSoup(SoupTask):
    description: str = "BFF primordial soup: records of its dynamics, scored by high-order entropy (recipe bff)"

    def initial(self) -> dict[str, Any]:
        """The record of 256 random tapes of 64 bytes, before any epoch (what a fresh soup measures)."""
        soup = np.random.default_rng(0).integers(0, 256, size=(256, 64), dtype=np.uint8)
        return make_record(soup, epoch=0, epochs=0, steps=8192, mutation=0.0, ops=0.0)


TASK = BffSoup()
