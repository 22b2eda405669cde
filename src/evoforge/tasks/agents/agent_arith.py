"""Agent task: multi-step arithmetic word problems with distractors, generated with known answers.

Each problem has ``min_steps`` to ``max_steps`` steps (default 2-4: the difficulty setting): buying,
giving away, packs of several, dozens and weeks looked up in a small corpus through ``tools.search``,
and one distractor sentence about something else. The score is whether the number after "Answer:" is
right. 30 search and 30 held-out problems by default (``--set task.search=N task.heldout=N
task.seed=S task.per_eval=N task.min_steps=1 task.max_steps=2``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evoforge.core.task_value import option

from ._agent_answers import final_number
from ._generated import GeneratedAgentTask

CORPUS = [
    "A dozen is 12 items.",
    "A week has 7 days.",
    "A pair is 2 items.",
    "A score is 20 items.",
    "An hour has 60 minutes.",
]
_NAMES = ["Mia", "Leo", "Ava", "Noah", "Zoe", "Omar", "Lena", "Ravi", "Iris", "Tom"]
_THINGS = ["apples", "stickers", "marbles", "cards", "pencils", "shells", "coins", "books"]
_OTHER = ["pears", "balloons", "stamps", "cookies", "buttons"]
_UNITS = {"dozen": 12, "pair": 2, "score": 20}


def problem(rng: random.Random, min_steps: int = 2, max_steps: int = 4) -> dict:
    """One problem of ``min_steps`` to ``max_steps`` events after the start, and one distractor."""
    name, thing = rng.choice(_NAMES), rng.choice(_THINGS)
    total = rng.randint(5, 30)
    sentences = [f"{name} has {total} {thing}."]
    for _ in range(rng.randint(min_steps, max_steps)):
        kind = rng.choice(["buy", "give", "packs", "unit", "double"])
        if kind == "buy":
            k = rng.randint(2, 15)
            sentences.append(f"{name} buys {k} more {thing}.")
            total += k
        elif kind == "give" and total > 3:
            k = rng.randint(1, total - 1)
            sentences.append(f"{name} gives {k} {thing} to a friend.")
            total -= k
        elif kind == "packs":
            packs, each = rng.randint(2, 5), rng.randint(2, 9)
            sentences.append(f"{name} gets {packs} packs with {each} {thing} in each pack.")
            total += packs * each
        elif kind == "unit":
            unit = rng.choice(list(_UNITS))
            sentences.append(f"{name} finds a {unit} of {thing}.")
            total += _UNITS[unit]
        else:
            sentences.append(f"{name} then doubles the number of {thing}.")
            total *= 2
    other = rng.choice([n for n in _NAMES if n != name])
    sentences.insert(rng.randint(1, len(sentences)), f"{other} has {rng.randint(2, 40)} {rng.choice(_OTHER)}.")
    question = " ".join(sentences) + f" How many {thing} does {name} have now?"
    return {"question": question, "answer": str(total)}


def score(item: dict, answer: object) -> float:
    got = final_number(answer)
    return float(got is not None and abs(got - float(item["answer"])) < 1e-9)


@dataclass(kw_only=True)
class AgentArith(GeneratedAgentTask):
    name: str = "agent-arith"
    description: str = "agent design: multi-step arithmetic word problems with distractors (search / held-out items)"
    score: Callable[[dict, object], float] = score
    corpus: Sequence[str] = tuple(CORPUS)
    answer_format: str = "End your reply with a line 'Answer: <number>'."
    min_steps: int = option(2, help="fewest events per problem (the difficulty, with max_steps)")
    max_steps: int = option(4, help="most events per problem")

    def make_items(self, n: int) -> list[dict]:
        if not 1 <= self.min_steps <= self.max_steps:
            raise ValueError("agent-arith: 1 <= min_steps <= max_steps")
        rng = random.Random(f"agent-arith-{self.items_seed}")
        return [problem(rng, self.min_steps, self.max_steps) for _ in range(n)]


TASK = AgentArith()
