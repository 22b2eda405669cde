"""A test-only weights task on which even a random tiny model always answers: the answer is the first
character of the completion, the gold answer is "7". Lets the label-free recipes (votes) run end to end."""

SEED = "tiny"
GENOME = "weights"
MAX_NEW_TOKENS = 4


def heldout():
    return [f"item {i}" for i in range(6)]


def train_problems(n, seed, digits=None):
    return [f"train {seed % 97} {i}" for i in range(n)]


def gold(question):
    return "7"


def prompt(question, hint=None):
    return f"Q: {question}\nA:"


def solution(question):
    return "7"


def answer(text):
    return text[:1] or None


def correct(question, text):
    return answer(text) == gold(question)


def accuracy(checkpoint, questions):
    from evoforge.genomes.weights.generate import greedy

    texts = greedy(checkpoint, [prompt(q) for q in questions], max_new_tokens=MAX_NEW_TOKENS)
    return sum(correct(q, t) for q, t in zip(questions, texts)) / len(questions), texts


def evaluate(genome):
    acc, _ = accuracy(str(genome), heldout())
    return {"score": acc}


def easier(question, rng, k=2):
    return [f"{question} (part {i})" for i in range(k)]
