"""The rounds of the self-verifying recipes (``s2r``, ``self-rewarding-correction``), composed by each: a
first stage of ``sft_rounds`` SFT rounds on traces built from the model's own attempts (answer, verdict
on it, correction), then RL rounds (:mod:`._rl_round`) whose rows carry a ``turn`` column: ``solve``
turns are rewarded by the task's checker; the other turns (verify, correct) by the recipe's
``turn_reward``.

Every round also measures the model's self-check at inference, greedy, on one sampled attempt per
training problem, before the round's update: ``first_acc`` (the attempt), ``verify_acc`` (its verdict
matches the truth), ``final_acc`` (the answer after verifying and, when it says wrong, correcting),
``fixed`` / ``broken`` and ``gv_gap`` = ``final_acc - first_acc``. The held-out score stays the task's
first-turn greedy accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from evoforge.core.recipe import param
from evoforge.genomes.weights.monitors import sample_monitors
from evoforge.genomes.weights.task import WeightsTask

from ._rl_round import verifier_reward

TurnReward = Callable[[str, str, str, dict[str, Any]], float]  # (turn, completion, label, row) -> reward


def problems() -> Any:
    return param(16, low=1, help="training problems per round")


def samples() -> Any:
    return param(4, low=1, help="attempts per problem in the SFT stage (traces are built from them)")


def sft_rounds() -> Any:
    return param(1, low=0, help="rounds of SFT on constructed traces before the RL rounds")


def verdict_of(text: str, right: str, wrong: str) -> bool | None:
    """True when a verification starts with the word ``right``, False with ``wrong``, else None."""
    head = text.strip().lower()
    return True if head.startswith(right) else False if head.startswith(wrong) else None


def turn_row(q: str, prompt: str, label: str, turn: str, extra: tuple[str, ...] = (), **values: Any) -> dict[str, Any]:
    """An RL row of one turn; every row has the ``extra`` columns (empty unless given)."""
    return {"prompt": prompt, "question": q, "label": label, "turn": turn, **{k: "" for k in extra}, **values}


class SelfVerifier(Protocol):
    """What :func:`build` reads from a recipe: its settings and the four parts it defines."""

    extra: tuple[str, ...]  # the recipe's extra row columns (every row has them)
    current: str
    round: int
    samples: int
    sft_rounds: int
    group: int

    @property
    def task_value(self) -> WeightsTask: ...

    def sample(self, ckpt: str, prompts: list[str], n: int, seed: int) -> list[list[str]]: ...

    def sft_rows(self, questions: list[str], attempts: list[list[str]], seed: int) -> tuple[list[dict], dict]:
        """The SFT stage's traces from ``k`` attempts per problem, and monitors."""
        ...

    def rl_rows(self, questions: list[str], attempts: list[str]) -> list[dict]:
        """RL rows beyond the solve turns (:func:`turn_row`)."""
        ...

    def self_check(self, questions: list[str], attempts: list[str], seed: int) -> tuple[list, list[str]]:
        """Greedy verdicts on the attempts (True / False / None) and the text holding each final answer."""
        ...


def build(r: SelfVerifier, questions: list[str], seed: int) -> tuple[str, list[dict], dict]:
    """The round: SFT on traces while ``round <= sft_rounds``, then RL on the solve and check turns."""
    task = r.task_value
    k = r.samples if r.round <= r.sft_rounds else 1
    attempts = r.sample(r.current, [task.prompt(q) for q in questions], k, seed)
    mon = sample_monitors(questions, attempts, task)
    mon.update(check_monitors(r, questions, [a[0] for a in attempts], seed + 1))
    if r.round <= r.sft_rounds:
        rows, more = r.sft_rows(questions, attempts, seed + 2)
        mon.update(more, accepted=len(rows), stage="sft")
        return "sft", rows, mon
    rows = [turn_row(q, task.prompt(q), task.gold(q), "solve", r.extra) for q in questions]
    rows += r.rl_rows(questions, [a[0] for a in attempts])
    mon.update(accepted=len(rows), stage="rl", generated=mon["generated"] + len(rows) * r.group)
    return "rl", rows, mon


def check_monitors(r: SelfVerifier, questions: list[str], attempts: list[str], seed: int) -> dict[str, float]:
    """The self-check's monitors (see the module docstring)."""
    task = r.task_value
    verdicts, finals = r.self_check(questions, attempts, seed)
    first = [task.correct(q, a) for q, a in zip(questions, attempts)]
    final = [task.correct(q, f) for q, f in zip(questions, finals)]
    n = max(1, len(questions))
    return {
        "first_acc": sum(first) / n,
        "verify_acc": sum(v is not None and v == f for v, f in zip(verdicts, first)) / n,
        "final_acc": sum(final) / n,
        "fixed": sum(b and not a for a, b in zip(first, final)) / n,
        "broken": sum(a and not b for a, b in zip(first, final)) / n,
        "gv_gap": (sum(final) - sum(first)) / n,
    }


def turn_reward(
    task: WeightsTask, other: TurnReward, prompts: list[str], completions: list[str], label: list[str], **columns: Any
) -> list[float]:
    """Solve turns: the checker; other turns: ``other(turn, completion, label, row)``."""
    turns = columns.get("turn") or ["solve"] * len(prompts)
    out = [0.0] * len(prompts)
    solve = [i for i, t in enumerate(turns) if t == "solve"]
    for i, v in zip(solve, verifier_reward(task, [completions[i] for i in solve], [label[i] for i in solve])):
        out[i] = v
    for i, t in enumerate(turns):
        if t != "solve":
            row = {k: v[i] for k, v in columns.items() if isinstance(v, list) and len(v) == len(prompts)}
            out[i] = other(t, completions[i], label[i], row)
    return out
