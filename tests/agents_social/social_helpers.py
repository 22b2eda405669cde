"""Scripted models for the multi-agent tests (Model subclasses: real usage meter and budget). Only for
unit tests: never behind the CLI's defaults, a benchmark or the docs."""

from __future__ import annotations

import random
import re

from evoforge.llm.base import Model
from evoforge.llm.types import Completion


class Scripted(Model):
    """Answers each prompt with ``reply(prompt, rng)``; ``rng`` is seeded by the request's seed."""

    backend = "scripted"

    def __init__(self, name: str = "scripted") -> None:
        super().__init__(name)
        self.prompts: list[str] = []

    def _generate(self, req):
        text = req.input if isinstance(req.input, str) else "\n".join(m["content"] for m in req.input)
        self.prompts.append(text)
        rng = random.Random(req.seed)
        return [Completion(self.reply(text, rng), "stop", 10, 5)] * req.n

    def reply(self, prompt: str, rng: random.Random) -> str:
        raise NotImplementedError


class Negotiator(Scripted):
    """Keeps what it values; greedy players ask for more. Accepts when the table gives it enough.
    One reply in ``garbage`` is noise (an invalid move)."""

    def __init__(self, garbage: float = 0.1) -> None:
        super().__init__("negotiator")
        self.garbage = garbage

    def reply(self, prompt: str, rng: random.Random) -> str:
        if rng.random() < self.garbage:
            return "hmm, let me think about the weather"
        counts = [int(x) for x in re.findall(r"(\d+) (?:books|hats|balls)", prompt.split("Your values")[0])]
        values = [int(x) for x in re.findall(r"(?:book|hat|ball)=(\d+)", prompt.split("Dialogue:")[0])[:3]]
        if len(counts) != 3 or len(values) != 3:
            return "WALK"
        last = re.findall(r"^Them: PROPOSE books=(\d+) hats=(\d+) balls=(\d+)", prompt, re.M)
        need = rng.choice([3, 5, 7])
        if last:
            mine = sum(v * (c - int(t)) for v, c, t in zip(values, counts, last[-1]))
            if mine >= need:
                return "ACCEPT"
        take = [c if v * c >= 2 or (v and rng.random() < 0.5) else 0 for v, c in zip(values, counts)]
        return f"PROPOSE books={take[0]} hats={take[1]} balls={take[2]}"


TRAIT_TAGS = {"cooperative": "cooperative", "common good": "cooperative", "thrifty": "frugal", "careful": "frugal",
              "honest": "honest", "independent": "independent", "generous": "generous", "welcomes": "generous",
              "shrewd": "selfish", "cautious": "cautious"}  # fmt: skip
SCENARIO_TAGS = {text: tags for s in __import__("evoforge.genomes.games.norms", fromlist=["x"]).SCENARIOS
                 for text, tags, _ in s["options"].values()}  # fmt: skip


class Society(Scripted):
    """Plays the three multi-agent environments by rule:

    - norms: picks the option its traits name (an option's own words, else its tag words), or A;
      one action in ``garbage`` (by the request's seed) is noise; a child's character is
      "someone who <approved behaviour>".
    - transmission: retells all sentences but the last of the longest version it heard.
    - language: a speaker without notes says colour and shape; with the lesson in its notes, one word
      that singles out the target and obeys the rule. The listener picks the object with every clue
      word. Notes: the lesson once a clue broke a rule.
    """

    def __init__(self, garbage: int = 5) -> None:
        super().__init__("society")
        self.garbage = garbage

    def reply(self, prompt: str, rng: random.Random) -> str:
        if "Your character:" in prompt:
            return self.act(prompt, rng)
        if "Child's character:" in prompt:
            return "someone who " + re.search(r"approves of people who (.*)\.", prompt).group(1)
        if prompt.endswith("Story:"):
            body = prompt.split("Retell the story")[0].splitlines()[1:]
            best = max((re.sub(r"^\d\) ", "", line) for line in body), key=len, default="")
            parts = re.findall(r"[^.]+\.", best)
            return " ".join(p.strip() for p in parts[:-1] if "Retell" not in p) if len(parts) > 1 else best
        if prompt.endswith("Clue:"):
            return self.speak(prompt)
        if prompt.endswith("Answer:"):
            clue = re.search(r"clue: '(.*)'", prompt).group(1).lower().split()
            objs = re.findall(r"^(\d)\) (.*)$", prompt, re.M)
            return next((n for n, o in objs if all(w in o.split() for w in clue)), "no idea")
        if prompt.endswith("Notes:"):
            so_far = re.search(r"Your notes so far: (.*)", prompt).group(1)
            if "clue broke" in prompt:
                return "Give one distinguishing word that obeys the rule."
            return so_far if so_far != "(none)" else "Keep going."
        return "?"

    def act(self, prompt: str, rng: random.Random) -> str:
        if self.garbage and rng.random() < 1 / self.garbage:
            return "I would rather not say"
        traits = prompt.split("Your character:")[1].split("\n")[0].lower()
        options = re.findall(r"^([ABC])\) (.*)$", prompt, re.M)
        for letter, text in options:
            if text in traits:
                return letter
        wanted = {tag for word, tag in TRAIT_TAGS.items() if word in traits}
        scored = [(len(wanted & set(SCENARIO_TAGS[text])), -i, letter) for i, (letter, text) in enumerate(options)]
        return max(scored)[2]

    def speak(self, prompt: str) -> str:
        objs = re.findall(r"^- (.*)$", prompt, re.M)
        target = re.search(r"The target is: (.*)\.", prompt).group(1).split()
        if "distinguishing" not in prompt:
            return f"{target[1]} {target[2]}"
        rule = re.search(r"Rule this round: (.*?);", prompt).group(1)
        for k, word in enumerate(target):
            banned = (k == 1 and "colour" in rule) or (k == 2 and "shape" in rule)
            if not banned and sum(word in o.split() for o in objs) == 1:
                return word
        return " ".join(target[:2]) if "one word" not in rule else target[0]
