"""The built-in agent tasks' common shape: generated items, as many as the options say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evoforge.core.task_value import option
from evoforge.genomes.agents.task import AgentTask


@dataclass(kw_only=True)
class GeneratedAgentTask(AgentTask):
    """An agent task whose ``search`` and ``heldout`` items come from :meth:`make_items`: the options
    ``search`` and ``heldout`` say how many, ``seed`` which ones."""

    search: Sequence[dict[str, Any]] = ()
    heldout: Sequence[dict[str, Any]] = ()
    n_search: int = option(30, name="search", help="search items (what recipes see)")
    n_heldout: int = option(30, name="heldout", help="held-out items (for the final comparison)")
    items_seed: int = option(0, name="seed", help="which items")
    items_per_eval: int = option(6, name="per_eval", help="search items one evaluation of an agent scores")

    def __post_init__(self) -> None:
        if self.n_search < 1 or self.n_heldout < 1 or self.items_per_eval < 1:
            raise ValueError("search, heldout and per_eval must be at least 1")
        items = self.make_items(self.n_search + self.n_heldout)
        self.search, self.heldout = items[: self.n_search], items[self.n_search :]
        super().__post_init__()

    def make_items(self, n: int) -> list[dict[str, Any]]:
        """``n`` items drawn with ``items_seed``: the first ``n_search`` are the search items."""
        raise NotImplementedError
