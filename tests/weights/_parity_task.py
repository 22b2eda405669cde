"""A test-only weights task on which a random tiny model is right about half the time: a completion
is right when its length is even. Lets the tree-search recipes find right and wrong steps end to end."""

from dataclasses import dataclass

from evoforge.genomes.weights.task import WeightsTask


@dataclass(kw_only=True)
class Parity(WeightsTask):
    base_model = "tiny"
    max_new_tokens = 6

    def heldout_problems(self):
        return [f"item {i}" for i in range(6)]

    def train_problems(self, n, seed, digits=None):
        return [f"train {seed % 97} {i}" for i in range(n)]

    def gold(self, question):
        return "even"

    def prompt(self, question, hint=None):
        return f"Q: {question}\nA:"

    def solution(self, question):
        return " 1+1=2, 2+2=4. Answer: 4"

    def answer(self, text):
        return "even" if len(text) % 2 == 0 else "odd"

    def evaluate(self, genome):
        return {"score": self.accuracy(str(genome), self.heldout_problems())[0]}


TASK = Parity()
