"""Prompt task: add two small numbers with SmolLM2-135M ("7 + 5" -> "12").

The genome is a prompt (see :mod:`evoforge.genomes.prompts.task`); the score is exact-match accuracy on a
minibatch of train items or on the 300 held-out items. The answer is the number after "Answer:" (or
"=") if the output has one, else its last number, so how the prompt shapes the output matters.
"""

from __future__ import annotations

import random

from evoforge.genomes.prompts.task import PromptTask


def _generate(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(1, 20), rng.randint(1, 9)
    if rng.random() < 0.5:
        a, b = b, a
    form = rng.choice(["{a} + {b}", "What is {a} plus {b}?", "Add {a} and {b}."])
    return form.format(a=a, b=b), str(a + b)


TASK = PromptTask(
    name="sums",
    description="prompt evolution: add two small numbers, SmolLM2-135M exact-match accuracy",
    generate=_generate,
    answer_kind="number",
    seed_instruction="Add the two numbers.",
    cot_instruction=(
        "Solve the addition step by step: start from the first number and count up by the second. "
        "Then finish with 'Answer: <number>'."
    ),
)
