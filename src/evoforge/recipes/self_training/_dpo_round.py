"""The DPO update of the preference-optimising recipes, composed by each of them: the round's pairs
train the latest model by DPO (anchored to that model, so such a recipe sets ``from_base = False``)
plus an NLL term on the preferred side, with their own learning rate; the warm-start examples are not
mixed in unless asked. A recipe declares the parameters with the field factories below and returns
:func:`dpo_overrides` from its ``train_overrides``."""

from __future__ import annotations

from typing import Any

from evoforge.core.recipe import param


def beta() -> Any:
    return param(0.1, low=0, low_open=True, help="DPO's beta (strength of the anchor to the reference)")


def nll(default: float = 1.0, help: str = "weight of the NLL term on the preferred answer") -> Any:
    return param(default, low=0, help=help)


def dpo_lr() -> Any:
    return param(2e-4, low=0, low_open=True, help="learning rate of the DPO update (when lr is 0)")


def mix_seed() -> Any:
    return param(False, help="add the warm-start examples to every round's data")


def dpo_overrides(*, beta: float, nll: float, lr: float, dpo_lr: float) -> dict[str, Any]:
    """The DPO update's settings: ``beta``, ``nll`` and the learning rate (``lr``, else ``dpo_lr``)."""
    return {"beta": beta, "nll": nll, "lr": lr or dpo_lr}
