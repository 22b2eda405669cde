"""A test-only weights task on which even a random tiny model always answers: the answer is the first
character of the completion, the gold answer is "7". Lets the label-free recipes (votes) run end to end."""

from dataclasses import dataclass

from evoforge.genomes.weights.task import WeightsTask


@dataclass(kw_only=True)
class FirstChar(WeightsTask):
    base_model = "tiny"
    max_new_tokens = 4

    def heldout_problems(self):
        return [f"item {i}" for i in range(6)]

    def train_problems(self, n, seed, digits=None):
        return [f"train {seed % 97} {i}" for i in range(n)]

    def gold(self, question):
        return "7"

    def prompt(self, question, hint=None):
        return f"Q: {question}\nA:"

    def solution(self, question):
        return "7"

    def answer(self, text):
        return text[:1] or None

    def evaluate(self, genome):
        return {"score": self.accuracy(str(genome), self.heldout_problems())[0]}

    def easier(self, question, rng, k=2):
        return [f"{question} (part {i})" for i in range(k)]


TASK = FirstChar()
