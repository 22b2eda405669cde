"""Agent task: small logic-grid puzzles, generated with a unique solution.

Three people, two attributes (a pet and a colour), each value used once. Clues ("Ana has the cat",
"The person who likes red does not have the dog", ...) are added at random until exactly one
assignment satisfies them all (checked by enumerating the 36 candidates), then the redundant ones are
dropped. The question asks who has one value; the score is whether that name follows "Answer:".
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from ._agent_answers import final_text
from ._generated import GeneratedAgentTask

_PEOPLE = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana"]
_ATTRS = {"pet": ["cat", "dog", "fish", "bird", "hamster"], "colour": ["red", "blue", "green", "yellow", "purple"]}
_PHRASE = {"pet": "has the {}", "colour": "likes {}"}


def solutions(people, values, clues):
    """Every assignment (one permutation of values per attribute) satisfying all clues."""
    out = []
    for pets in itertools.permutations(values["pet"]):
        for colours in itertools.permutations(values["colour"]):
            world = {p: {"pet": pets[i], "colour": colours[i]} for i, p in enumerate(people)}
            if all(_holds(world, c) for c in clues):
                out.append(world)
    return out


def _holds(world, clue) -> bool:
    kind = clue[0]
    if kind == "is":  # person has value
        _, person, attr, value, truth = clue
        return (world[person][attr] == value) == truth
    _, a1, v1, a2, v2, truth = clue  # the person with v1 (attr a1) has v2 (attr a2)
    return any(w[a1] == v1 and w[a2] == v2 for w in world.values()) == truth


def _text(clue) -> str:
    if clue[0] == "is":
        _, person, attr, value, truth = clue
        verb = _PHRASE[attr].format(value)
        return (
            f"{person} {verb}."
            if truth
            else f"{person} does not {verb.replace('has', 'have').replace('likes', 'like')}."
        )
    _, a1, v1, a2, v2, truth = clue
    subject = f"The person who {_PHRASE[a1].format(v1)}"
    verb = _PHRASE[a2].format(v2)
    return (
        f"{subject} {verb}." if truth else f"{subject} does not {verb.replace('has', 'have').replace('likes', 'like')}."
    )


def puzzle(rng: random.Random) -> dict:
    people = rng.sample(_PEOPLE, 3)
    values = {a: rng.sample(v, 3) for a, v in _ATTRS.items()}
    truth = {p: {"pet": values["pet"][i], "colour": values["colour"][i]} for i, p in enumerate(people)}
    clues: list[tuple] = []
    while len(solutions(people, values, clues)) > 1:
        attr = rng.choice(list(_ATTRS))
        if rng.random() < 0.5:
            person, value = rng.choice(people), rng.choice(values[attr])
            clues.append(("is", person, attr, value, truth[person][attr] == value))
        else:
            v1, v2 = rng.choice(values["pet"]), rng.choice(values["colour"])
            clues.append(
                ("with", "pet", v1, "colour", v2, any(w["pet"] == v1 and w["colour"] == v2 for w in truth.values()))
            )
    for clue in list(clues):  # drop clues the others already imply
        rest = [c for c in clues if c is not clue]
        if len(solutions(people, values, rest)) == 1:
            clues = rest
    attr = rng.choice(list(_ATTRS))
    value = rng.choice(values[attr])
    who = next(p for p in people if truth[p][attr] == value)
    question = (
        f"{', '.join(people[:-1])} and {people[-1]} each have a different pet ({', '.join(sorted(values['pet']))}) "
        f"and like a different colour ({', '.join(sorted(values['colour']))}).\nClues:\n"
        + "\n".join(f"- {_text(c)}" for c in clues)
        + f"\nWho {_PHRASE[attr].format(value)}?"
    )
    return {"question": question, "answer": who, "people": people, "clues": [list(c) for c in clues], "values": values}


def score(item: dict, answer: object) -> float:
    got = final_text(answer).lower()
    named = [p for p in item["people"] if p.lower() in got.split() or got == p.lower()]
    return float(named == [item["answer"]])


@dataclass(kw_only=True)
class AgentLogic(GeneratedAgentTask):
    name: str = "agent-logic"
    description: str = "agent design: logic-grid puzzles with a unique solution (search / held-out items)"
    score: Callable[[dict, object], float] = score
    answer_format: str = "End your reply with a line 'Answer: <name>'."
    hidden: tuple[str, ...] = ("answer", "clues", "values")

    def make_items(self, n: int) -> list[dict]:
        rng = random.Random(f"agent-logic-{self.items_seed}")
        return [puzzle(rng) for _ in range(n)]


TASK = AgentLogic()
