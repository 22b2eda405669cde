"""A test-only weights task on which a random tiny model is right about half the time: a completion
is right when its length is even. Lets the tree-search recipes find right and wrong steps end to end."""

SEED = "tiny"
GENOME = "weights"
MAX_NEW_TOKENS = 6


def heldout():
    return [f"item {i}" for i in range(6)]


def train_problems(n, seed, digits=None):
    return [f"train {seed % 97} {i}" for i in range(n)]


def gold(question):
    return "even"


def prompt(question, hint=None):
    return f"Q: {question}\nA:"


def solution(question):
    return " 1+1=2, 2+2=4. Answer: 4"


def answer(text):
    return "even" if len(text) % 2 == 0 else "odd"


def correct(question, text):
    return answer(text) == gold(question)


def accuracy(checkpoint, questions):
    from evoforge.genomes.weights.generate import greedy

    texts = greedy(checkpoint, [prompt(q) for q in questions], max_new_tokens=MAX_NEW_TOKENS)
    return sum(correct(q, t) for q, t in zip(questions, texts)) / len(questions), texts


def evaluate(genome):
    acc, _ = accuracy(str(genome), heldout())
    return {"score": acc}
