"""``bff``: the BFF primordial soup ("Computational Life: How Well-formed, Self-replicating Programs
Emerge from Simple Interaction", Agüera y Arcas et al., 2024). A soup of random 64-byte tapes; each
epoch every tape meets another at random, the pair runs as one self-modifying BFF program and splits
back. Nothing is selected, yet in many runs self-replicators arise and take over: high-order entropy
jumps and the distinct tapes collapse.

Why a recipe with a task, like the multi-agent games: the engine's unit is ask -> evaluate -> tell with
the recipe's state checkpointed after each batch, and a soup fits it as a recipe's state (the soup is a
uint8 array in the signed checkpoint, so a run survives kill -9 and resumes exactly: every draw comes
from the engine's generator). Each batch advances the soup ``every`` epochs and proposes one candidate,
the record of what was measured (task ``bff``, genome kind ``soup``); the task scores the record again
(high-order entropy, and whether its most common tape copies itself), the run file keeps every record,
and ``evoforge plot`` draws them. No evaluation limit applies unless ``--budget`` sets one: the run
ends after ``epochs`` epochs (or ``after_jump`` epochs after the jump)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.soups import report as soup_report


@register("bff")
@dataclass(kw_only=True)
class Bff(Recipe):
    summary = "BFF primordial soup: random byte programs meet in pairs; self-replicators arise unselected"
    genomes = ("soup",)
    dedupe = False
    default_budget: ClassVar[int | None] = None  # type: ignore[assignment]  # epochs end the run

    batch_size: int = param(1, low=1, high=1, help="one record per batch (every `every` epochs)")
    tapes: int = param(2**17, low=2, help="tapes in the soup (the paper: 2^17)")
    length: int = param(64, low=1, high=2**15, help="bytes per tape; a pair runs as one program of twice this")
    steps: int = param(2**13, low=1, help="steps one interaction may run (no-ops count)")
    mutation: float = param(0.00024, low=0, high=1, help="chance per byte and epoch of a random byte (0: none)")
    epochs: int = param(16384, low=1, help="epochs to run")
    every: int = param(16, low=1, help="epochs per record (each record measures the whole soup)")
    jump: float = param(1.0, low=0, help="high-order entropy (bits per byte) taken as the replicators' takeover")
    after_jump: int = param(-1, low=-1, help="stop this many epochs after the jump (-1: run all epochs)")

    soup: np.ndarray | None = state()  # tapes x length, uint8
    epoch: int = state(0)
    history: list[dict[str, Any]] = state(factory=list)  # one row per record (report and answer)
    jumped: int | None = state()  # the epoch of the first record at or above `jump`

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        from evoforge.genomes.soups import bff

        if not bff.COMPILED:
            raise ConfigError(f"recipe {self.name!r} needs numba (its interpreter): pip install 'evoforge[alife]'")
        try:
            import brotli  # noqa: F401
        except ImportError:
            raise ConfigError(
                f"recipe {self.name!r} needs brotli (its measure): pip install 'evoforge[alife]'"
            ) from None

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        from evoforge.genomes.soups.soup import random_soup

        self.soup = random_soup(self.tapes, self.length, rng)

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        from evoforge.genomes.soups.soup import advance
        from evoforge.genomes.soups.task import make_record

        assert self.soup is not None
        if not self.history and self.epoch == 0:  # the random soup itself, once: the run's seed
            record = make_record(self.soup, epoch=0, epochs=0, steps=self.steps, mutation=self.mutation, ops=0.0)
            return [Candidate(genome=record, operator="seed")]
        k = max(1, min(self.every, self.epochs - self.epoch))
        ops, interactions = advance(self.soup, k, rng, steps=self.steps, mutation=self.mutation)
        self.epoch += k
        record = make_record(self.soup, epoch=self.epoch, epochs=k, steps=self.steps, mutation=self.mutation,
                             ops=ops / max(1, interactions))  # fmt: skip
        return [Candidate(genome=record, operator="epochs")]

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            row = soup_report.row(cand.genome, cand.metrics if cand.ok else {})
            self.history.append(row)
            if self.jumped is None and row["high_order"] >= self.jump:
                self.jumped = row["epoch"]

    def stop_reason(self) -> str | None:
        if self.epoch >= self.epochs:
            return f"{self.epochs} epochs run"
        if self.jumped is not None and self.after_jump >= 0 and self.epoch >= self.jumped + self.after_jump:
            return f"high-order entropy reached {self.jump:g} at epoch {self.jumped}; ran {self.after_jump} more"
        return None

    def report(self, store: Any) -> str | None:
        return soup_report.table(self.history, jump=self.jump, jumped=self.jumped, tapes=self.tapes)

    def answer(self, store: Any) -> dict[str, Any] | None:
        if len(self.history) < 2:
            return None
        first, last = self.history[0], self.history[-1]
        top = {
            "tape": soup_report.render(bytes.fromhex(last["top"])),
            "hex": last["top"],
            "share": round(last["top_share"], 6),
            "copies_itself": last["top_copies"],
        }
        return {"what": f"the soup at epoch {last['epoch']}: its most common tape", "genome": top,
                "score": last["high_order"], "score_on": f"high-order entropy of the soup at epoch {last['epoch']}",
                "seed": {"score": first["high_order"], "on": "the random soup at epoch 0"}}  # fmt: skip

    @classmethod
    def plot_extra(cls, ax: Any, store: Any) -> None:
        """The soup's dynamics over epochs: entropies, complexity, distinct tapes."""
        soup_report.draw(ax, store)
