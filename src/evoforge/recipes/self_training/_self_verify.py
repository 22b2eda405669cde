"""What the self-verifying recipes (``s2r``, ``self-rewarding-correction``) share: a first stage of
``sft_rounds`` SFT rounds on traces built from the model's own attempts (answer, verdict on it,
correction), then RL rounds (:mod:`._rl_round`) whose rows carry a ``turn`` column: ``solve`` turns
are rewarded by the task's checker; the other turns (verify, correct) by :meth:`turn_reward`.

Every round also measures the model's self-check at inference, greedy, on one sampled attempt per
training problem, before the round's update: ``first_acc`` (the attempt), ``verify_acc`` (its verdict
matches the truth), ``final_acc`` (the answer after verifying and, when it says wrong, correcting),
``fixed`` / ``broken`` and ``gv_gap`` = ``final_acc - first_acc``. The held-out score stays the task's
first-turn greedy accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors

from ._rl_round import RLRound


def verdict_of(text: str, right: str, wrong: str) -> bool | None:
    """True when a verification starts with the word ``right``, False with ``wrong``, else None."""
    head = text.strip().lower()
    return True if head.startswith(right) else False if head.startswith(wrong) else None


@dataclass(kw_only=True)
class SelfVerifying(RLRound):
    """Base of the self-verify / self-correct recipes (not registered itself)."""

    extra: ClassVar[tuple[str, ...]] = ()  # the subclass's extra row columns (every row has them)

    problems: int = param(16, low=1, help="training problems per round")
    samples: int = param(4, low=1, help="attempts per problem in the SFT stage (traces are built from them)")
    sft_rounds: int = param(1, low=0, help="rounds of SFT on constructed traces before the RL rounds")

    # -- what a subclass defines --------------------------------------------------------------------
    def sft_rows(self, questions: list[str], attempts: list[list[str]], seed: int) -> tuple[list[dict], dict]:
        raise NotImplementedError

    def rl_rows(self, questions: list[str], attempts: list[str]) -> list[dict]:
        """Rows beyond the solve turns: ``prompt, question, label, turn`` plus :meth:`extra` columns."""
        raise NotImplementedError

    def self_check(self, questions: list[str], attempts: list[str], seed: int) -> tuple[list, list[str]]:
        """Greedy verdicts on the attempts (True / False / None) and the text holding each final answer."""
        raise NotImplementedError

    def turn_reward(self, turn: str, completion: str, label: str, row: dict[str, Any]) -> float:
        raise NotImplementedError

    # -- the round ----------------------------------------------------------------------------------
    def row(self, q: str, prompt: str, label: str, turn: str, **extra: Any) -> dict[str, Any]:
        return {"prompt": prompt, "question": q, "label": label, "turn": turn, **{k: "" for k in self.extra}, **extra}

    def build(self, questions, seed, rng):
        T = self.T
        k = self.samples if self.round <= self.sft_rounds else 1
        attempts = self.sample(self.current, [T.prompt(q) for q in questions], k, seed)
        mon = sample_monitors(questions, attempts, T)
        mon.update(self.check_monitors(questions, [a[0] for a in attempts], seed + 1))
        if self.round <= self.sft_rounds:
            rows, more = self.sft_rows(questions, attempts, seed + 2)
            mon.update(more, accepted=len(rows), stage="sft")
            return "sft", rows, mon
        rows = [self.row(q, T.prompt(q), T.gold(q), "solve") for q in questions]
        rows += self.rl_rows(questions, [a[0] for a in attempts])
        mon.update(accepted=len(rows), stage="rl", generated=mon["generated"] + len(rows) * self.group)
        return "rl", rows, mon

    def check_monitors(self, questions: list[str], attempts: list[str], seed: int) -> dict[str, float]:
        T = self.T
        verdicts, finals = self.self_check(questions, attempts, seed)
        first = [T.correct(q, a) for q, a in zip(questions, attempts)]
        final = [T.correct(q, f) for q, f in zip(questions, finals)]
        n = max(1, len(questions))
        return {
            "first_acc": sum(first) / n,
            "verify_acc": sum(v is not None and v == f for v, f in zip(verdicts, first)) / n,
            "final_acc": sum(final) / n,
            "fixed": sum(b and not a for a, b in zip(first, final)) / n,
            "broken": sum(a and not b for a, b in zip(first, final)) / n,
            "gv_gap": (sum(final) - sum(first)) / n,
        }

    def reward(self, prompts: list[str], completions: list[str], label: list[str], **columns: Any) -> list[float]:
        """Solve turns: the checker (and the round's monitors); other turns: :meth:`turn_reward`."""
        turns = columns.get("turn") or ["solve"] * len(prompts)
        out = [0.0] * len(prompts)
        solve = [i for i, t in enumerate(turns) if t == "solve"]
        if solve:
            pick = [prompts[i] for i in solve], [completions[i] for i in solve], [label[i] for i in solve]
            for i, v in zip(solve, super().reward(*pick)):
                out[i] = v
        scores = getattr(self, "_turn_scores", None)
        for i, t in enumerate(turns):
            if t != "solve":
                row = {k: v[i] for k, v in columns.items() if isinstance(v, list) and len(v) == len(prompts)}
                out[i] = self.turn_reward(t, completions[i], label[i], row)
                if scores is not None:
                    scores.append(out[i])
        return out

    def update(self, kind: str, start: str, rows: list[dict[str, Any]], out: Path, monitors: dict[str, Any]) -> Path:
        self._turn_scores: list[float] | None = []
        try:
            ckpt = super().update(kind, start, rows, out, monitors)
        finally:
            scores, self._turn_scores = self._turn_scores, None
        if scores:  # the mean reward of the verify / correct turns sampled during the update
            monitors["rl_check_reward"] = sum(scores) / len(scores)
        return ckpt

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_turn_scores", None)
        return state
