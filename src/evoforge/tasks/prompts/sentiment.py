"""Prompt task: label short generated reviews positive or negative with SmolLM2-135M.

The genome is a prompt (see :mod:`evoforge.genomes.prompts.task`); the score is the task model's accuracy
on a minibatch of train items (``genome["items"]``) or on the 300 held-out items (``split="test"``).
A bare question scores near 0 (the model chats instead of answering); demonstrations lift it a lot.
"""

from __future__ import annotations

import random

from evoforge.genomes.prompts.task import PromptTask

_SUBJECTS = [
    "The movie",
    "The food",
    "The hotel",
    "The concert",
    "The book",
    "The service",
    "The game",
    "The trip",
    "The phone",
    "The show",
    "The class",
    "The staff",
    "The room",
    "The coffee",
]
_POS = [
    "wonderful",
    "great",
    "excellent",
    "delightful",
    "amazing",
    "lovely",
    "superb",
    "fantastic",
    "enjoyable",
    "brilliant",
    "pleasant",
    "charming",
]
_NEG = [
    "terrible",
    "awful",
    "boring",
    "horrible",
    "dreadful",
    "bad",
    "disappointing",
    "dull",
    "unpleasant",
    "mediocre",
    "annoying",
    "poor",
]
_TAILS_POS = ["I would go again.", "Highly recommended.", "We loved every minute.", "Worth every penny.", ""]
_TAILS_NEG = ["Never again.", "What a waste of money.", "I want a refund.", "Avoid it.", ""]


def _generate(rng: random.Random) -> tuple[str, str]:
    positive = rng.random() < 0.5
    subject = rng.choice(_SUBJECTS)
    form = rng.random()
    if form < 0.25:  # negated opposite word: "not bad" is positive
        text = f"{subject} was not {rng.choice(_NEG if positive else _POS)} at all."
    elif form < 0.5:
        word = rng.choice(_POS if positive else _NEG)
        text = f"{subject} was {word}. {rng.choice(_TAILS_POS if positive else _TAILS_NEG)}"
    else:
        word = rng.choice(_POS if positive else _NEG)
        other = rng.choice(_NEG if positive else _POS)
        text = f"I expected it to be {other}, but {subject.lower()} was {word}."
    return text.strip(), "positive" if positive else "negative"


TASK = PromptTask(
    name="sentiment",
    description="prompt evolution: sentiment of generated reviews, SmolLM2-135M accuracy (labels)",
    generate=_generate,
    answer_kind="label",
    labels=("positive", "negative"),
    seed_instruction="Is the sentiment of this review positive or negative?",
    cot_instruction=(
        "Read the review and think step by step about the words that show the writer's feeling, "
        "including negations like 'not'. Then finish with 'Answer: positive' or 'Answer: negative'."
    ),
)
