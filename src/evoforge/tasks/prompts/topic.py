"""Prompt task: name the topic of a short generated sentence (sports, food, weather or music) with
SmolLM2-135M.

The genome is a prompt (see :mod:`evoforge.genomes.prompts.task`); the score is the task model's accuracy
on a minibatch of train items or on the 300 held-out items. A bare question scores low: the model
answers with its own words ("basketball", "the weather forecast") instead of the four labels, so the
instruction and the demonstrations decide the accuracy.
"""

from __future__ import annotations

import random

from evoforge.genomes.prompts.task import PromptTask

_WORDS = {
    "sports": [
        "the striker",
        "the goalkeeper",
        "the final whistle",
        "the referee",
        "the marathon",
        "the tennis match",
        "the home team",
        "the coach",
        "the penalty kick",
        "the league table",
    ],
    "food": [
        "the soup",
        "the chef",
        "the fresh bread",
        "the recipe",
        "the spicy curry",
        "the dessert",
        "the grilled fish",
        "the salad",
        "the breakfast menu",
        "the chocolate cake",
    ],
    "weather": [
        "the storm",
        "the heavy rain",
        "the morning fog",
        "the forecast",
        "the snowfall",
        "the strong wind",
        "the heatwave",
        "the thunder",
        "the cloudy sky",
        "the frost",
    ],
    "music": [
        "the guitar solo",
        "the orchestra",
        "the new album",
        "the drummer",
        "the choir",
        "the piano concerto",
        "the singer",
        "the concert hall",
        "the melody",
        "the band",
    ],
}
_FRAMES = [
    "Everyone talked about {w} {when}.",
    "{W} surprised us {when}.",
    "I still remember {w} {when}.",
    "Nobody expected {w} {when}.",
    "{W} was the main story {when}.",
    "My friend kept mentioning {w}.",
]
_WHEN = ["yesterday", "last weekend", "this morning", "on Friday", "all week", "tonight"]


def _generate(rng: random.Random) -> tuple[str, str]:
    label = rng.choice(sorted(_WORDS))
    w = rng.choice(_WORDS[label])
    text = rng.choice(_FRAMES).format(w=w, W=w[0].upper() + w[1:], when=rng.choice(_WHEN))
    return text, label


TASK = PromptTask(
    name="topic",
    description="prompt evolution: topic of a sentence (4 labels), SmolLM2-135M accuracy",
    generate=_generate,
    answer_kind="label",
    labels=("sports", "food", "weather", "music"),
    seed_instruction="What is this sentence about?",
    cot_instruction=(
        "Think step by step about which words in the sentence point to a subject. Then finish with "
        "'Answer: sports', 'Answer: food', 'Answer: weather' or 'Answer: music'."
    ),
)
