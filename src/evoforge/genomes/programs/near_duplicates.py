"""Rejecting programs that are near duplicates of earlier ones, by embedding, before evaluation."""

from __future__ import annotations

import numpy as np

from .blocks import evolve_text
from .normalize import normalize


class NearDuplicates:
    """Rejects a program whose embedding (all-MiniLM-L6-v2 of its normalised evolve blocks) has cosine
    similarity >= ``threshold`` with one already proposed: before evaluation, not after. Off when the
    threshold is 0 or the embedding model cannot be had (the reason is kept in ``disabled``)."""

    def __init__(self, threshold: float):
        self.threshold = float(threshold)
        self.vectors: list[np.ndarray] = []
        self.disabled: str | None = None if threshold > 0 else "threshold 0"

    @staticmethod
    def text(program: str) -> str:
        try:
            return normalize(evolve_text(program)) or evolve_text(program)
        except Exception:  # any failure: embed the raw text
            return evolve_text(program)

    def _embed(self, program: str) -> np.ndarray | None:
        if self.disabled:
            return None
        try:
            from evoforge.llm import embed

            return np.asarray(embed([self.text(program)]), dtype=np.float32)[0]
        except Exception as err:  # no embedding model here: the check is skipped, the run goes on
            self.disabled = f"{type(err).__name__}: {err}"[:200]
            return None

    def add(self, program: str) -> None:
        v = self._embed(program)
        if v is not None:
            self.vectors.append(v)

    def check(self, program: str) -> str | None:
        """The reason ``program`` is a near duplicate, else None (and it is remembered)."""
        v = self._embed(program)
        if v is None:
            return None
        if self.vectors:
            sims = np.stack(self.vectors) @ v
            i = int(np.argmax(sims))
            if sims[i] >= self.threshold:
                return f"near duplicate (embedding cosine {sims[i]:.3f} >= {self.threshold}; not evaluated)"
        self.vectors.append(v)
        return None
