"""AI co-scientist, from "Towards an AI co-scientist" (Gottweis et al., 2025), as a recipe over text
solutions: a generation agent samples proposals; a ranking agent runs a tournament of pairwise debates
(the model reads two proposals with the checker's review and names the better one), keeping Elo ratings
that start at 1200 with K = 32; each debate takes the least-debated proposal (the newest on ties) and
the one nearest its rating (``pairing``). With ``swap`` (the default) each debate is held twice, the
proposals in both orders, and a proposal wins only if both verdicts name it (else a draw): a small
judge's verdict mostly follows the position, and a swap turns that bias into draws instead of rating
noise. A proximity agent drops near-duplicate proposals (word-set Jaccard similarity above
``proximity``) before they cost an evaluation; an evolution agent refines or combines the top-rated
proposals. :meth:`elo_correlation` reports the Spearman rank correlation between Elo and the checker's
score (does the debate ranking agree with the ground truth?), :meth:`judge_accuracy` how often a
decisive verdict names the proposal the checker prefers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from evoforge.core.candidate import Candidate
from evoforge.core.recipe import Recipe, param, register, state
from evoforge.core.task import Task
from evoforge.genomes.prompts.solutions import problem_of, say, say_call

ELO_START, ELO_K = 1200.0, 32.0


def jaccard(a: str, b: str) -> float:
    x, y = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(x & y) / len(x | y) if x | y else 1.0


def elo_update(ra: float, rb: float, score_a: float, k: float = ELO_K) -> tuple[float, float]:
    """New ratings after a match that A won (``score_a`` 1), drew (0.5) or lost (0)."""
    expected_a = 1.0 / (1.0 + 10 ** ((rb - ra) / 400.0))
    delta = k * (float(score_a) - expected_a)
    return ra + delta, rb - delta


def average_ranks(values: list[float]) -> np.ndarray:
    """Ranks from 0, tied values sharing the mean of their ranks (as ``scipy.stats.rankdata``)."""
    v = np.asarray(values, dtype=float)
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return (first + (counts - 1) / 2.0)[inverse]


def spearman(x: list[float], y: list[float]) -> float | None:
    """Spearman's rank correlation with tie-averaged ranks (checker scores tie often); None when
    fewer than 3 points or either side is constant. numpy only: scipy is not a core dependency."""
    if len(x) < 3:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


@register("co-scientist")
@dataclass(kw_only=True)
class CoScientist(Recipe):
    summary = "generate, debate (Elo from 1200, K=32), proximity de-dup, evolve the top proposals"
    genomes = ("solution",)
    needs_model = True
    dedupe = True

    batch_size: int = param(4, low=1, help="proposals per batch")
    debates: int = param(4, low=0, help="pairwise debates per batch")
    top_k: int = param(4, low=1, help="proposals the evolution agent draws on")
    generate_fraction: float = param(0.25, low=0, high=1, help="share of each batch that is fresh generation")
    proximity: float = param(0.9, low=0, high=1, help="Jaccard similarity above which a proposal counts as a duplicate")
    swap: bool = param(True, help="judge each pair in both orders; a split verdict is a draw")
    pairing: str = param(
        "similar",
        choices=("similar", "random"),
        help="similar: least-debated proposal vs the nearest Elo; random: any two",
    )
    temperature: float = param(0.8, low=0, help="sampling temperature of model calls")
    max_tokens: int = param(48, low=1, help="cap on every answer")

    problem: str = state("")  # the task's PROBLEM statement
    pool: list[Candidate] = state(factory=list)
    elo: dict[int, float] = state(factory=dict)  # rating per proposal id
    matches: int = state(0)
    draws: int = state(0)
    # decisive verdicts that agree (True) / disagree (False) with the checker
    verdicts: dict[bool, int] = state(factory=lambda: {True: 0, False: 0})
    games: dict[int, int] = state(factory=dict)  # debates per proposal (the debated ones)
    duplicates: int = state(0)

    def setup(self, task: Task, rng: np.random.Generator) -> None:
        self.problem = problem_of(task)
        self.pool, self.elo, self.games = [], {}, {}
        self.matches = self.draws = self.duplicates = 0
        self.verdicts = {True: 0, False: 0}

    def _verdict(self, first: Candidate, second: Candidate, rng: np.random.Generator) -> int | None:
        """1 or 2: the proposal the judge names better; None when it names neither."""
        verdict = say(
            self.model,
            f"{self.problem}\n\nProposal 1: {first.genome}\nReview: {first.feedback}\n\n"
            f"Proposal 2: {second.genome}\nReview: {second.feedback}\n\nDebate the two proposals briefly, "
            f"then say which is better: 'Better: 1' or 'Better: 2'.",
            rng,
            "debate",
            temperature=0.3,
            max_tokens=self.max_tokens,
        )
        m = re.findall(r"\b([12])\b", verdict.split("Better")[-1]) or re.findall(r"\b([12])\b", verdict)
        return int(m[-1]) if m else None

    def _debate(self, a: Candidate, b: Candidate, rng: np.random.Generator) -> None:
        v = self._verdict(a, b, rng)
        if self.swap:
            w = self._verdict(b, a, rng)
            score = 1.0 if (v, w) == (1, 2) else 0.0 if (v, w) == (2, 1) else 0.5
        else:
            score = 1.0 if v == 1 else 0.0 if v == 2 else float(rng.random() < 0.5)
        self.draws += score == 0.5
        fa, fb = a.fitness(), b.fitness()
        if score != 0.5 and fa != fb:  # a decisive verdict on proposals the checker tells apart
            self.verdicts[(score == 1.0) == (fa > fb)] += 1
        self.elo[a.id], self.elo[b.id] = elo_update(self.elo[a.id], self.elo[b.id], score)
        for c in (a, b):
            self.games[c.id] = self.games.get(c.id, 0) + 1
        self.matches += 1

    def _pair(self, rng: np.random.Generator) -> tuple[Candidate, Candidate]:
        """Two proposals to debate. ``similar`` (the paper's tournament favours new hypotheses and close
        ratings): the proposal with the fewest debates, newest first, against the one nearest its Elo."""
        if self.pairing == "random":
            i, j = rng.choice(len(self.pool), size=2, replace=False)
            return self.pool[int(i)], self.pool[int(j)]
        a = min(self.pool, key=lambda c: (self.games.get(c.id, 0), -c.id))
        others = [c for c in self.pool if c is not a]
        noise = rng.random(len(others))  # ties (every new proposal is at 1200) broken at random
        b = others[int(np.argmin([abs(self.elo[c.id] - self.elo[a.id]) + 1e-6 * u for c, u in zip(others, noise)]))]
        return a, b

    def top(self) -> list[Candidate]:
        return sorted(self.pool, key=lambda c: (-self.elo[c.id], c.id))

    def ask(self, n: int, rng: np.random.Generator) -> list[Candidate]:
        if len(self.pool) >= 2:
            for _ in range(self.debates):
                self._debate(*self._pair(rng), rng)
        out: list[Candidate] = []
        fresh = n if len(self.pool) < 2 else max(1, round(n * self.generate_fraction))
        for k in range(n):
            for _attempt in range(2):  # a near-duplicate gets one more try
                if k < fresh:
                    text, call = say_call(
                        self.model, self.problem, rng, "generate", temperature=self.temperature,
                        max_tokens=self.max_tokens,
                    )  # fmt: skip
                    parents, op = [], "generate"
                else:
                    top = self.top()[: self.top_k]
                    picks = [top[int(i)] for i in rng.choice(len(top), size=min(2, len(top)), replace=False)]
                    shown = "\n".join(f"- {p.genome} (review: {p.feedback})" for p in picks)
                    text, call = say_call(
                        self.model,
                        f"{self.problem}\n\nThe best proposals so far:\n{shown}\n\nCombine their "
                        f"strengths and fix what the reviews criticise. Answer with the new proposal only.",
                        rng,
                        "evolve",
                        temperature=self.temperature,
                        max_tokens=self.max_tokens,
                    )
                    parents, op = [p.id for p in picks], "evolve"
                near = [c for c in self.pool + out if jaccard(text, str(c.genome)) >= self.proximity]
                if not near:
                    break
                self.duplicates += 1
            out.append(Candidate(genome=text, parents=parents, operator=op, call=call))
        return out

    def tell(self, candidates: list[Candidate], rng: np.random.Generator) -> None:
        for cand in candidates:
            if cand.ok:
                self.pool.append(cand)
                self.elo[cand.id] = ELO_START

    def elo_correlation(self) -> float | None:
        """Spearman correlation between Elo ratings and checker scores over debated proposals."""
        rated = [c for c in self.pool if c.id in self.games]
        return spearman([self.elo[c.id] for c in rated], [c.fitness() for c in rated])

    def judge_accuracy(self) -> float | None:
        """Share of decisive verdicts, between proposals the checker scores differently, that name the
        one the checker scores higher (0.5: a coin)."""
        n = self.verdicts[True] + self.verdicts[False]
        return self.verdicts[True] / n if n else None

    def archive(self) -> list[Candidate]:
        return self.top()

    def discarded(self) -> dict[str, int]:
        """Proposals redrawn because they were near duplicates (word-set Jaccard) of the pool's."""
        return {f"near duplicate of a pooled proposal (Jaccard >= {self.proximity:g}), redrawn": self.duplicates}
