"""What the preference-optimising self-training recipes share: each round's pairs train the latest model
by DPO (anchored to that model) plus an NLL term on the preferred side, with their own learning rate;
the warm-start examples are not mixed in unless asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.recipe import param

from ._base import SelfTraining


@dataclass(kw_only=True)
class DPORound(SelfTraining):
    """Base of the DPO recipes (not registered itself); a subclass redeclares ``nll`` for its default."""

    from_base: ClassVar[bool] = False  # each round continues from (and is anchored to) the latest model

    beta: float = param(0.1, low=0, low_open=True, help="DPO's beta (strength of the anchor to the reference)")
    nll: float = param(1.0, low=0, help="weight of the NLL term on the preferred answer")
    dpo_lr: float = param(2e-4, low=0, low_open=True, help="learning rate of the DPO update (when lr is 0)")
    mix_seed: bool = param(False, help="add the warm-start examples to every round's data")

    def train_overrides(self, kind: str) -> dict[str, Any]:
        return {"beta": self.beta, "nll": self.nll, "lr": self.lr or self.dpo_lr}
