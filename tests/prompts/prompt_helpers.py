"""A small scripted model for the prompt-evolution unit tests (a Model subclass: real usage meter).
Only for unit tests: never behind the CLI, a benchmark or the README."""

from __future__ import annotations

import random

from evoforge.llm.base import Model
from evoforge.llm.types import Completion


class ScriptedModel(Model):
    """Answers operator prompts with instruction-like text (sometimes garbage, to exercise the guard)
    and task questions correctly only when the system prompt mentions 'only' or has demos."""

    backend = "scripted"

    def __init__(self, garbage_every: int = 4):
        super().__init__("scripted")
        self.garbage_every = garbage_every
        self.prompts: list[str] = []

    def _generate(self, req):
        msgs = req.input if isinstance(req.input, list) else [{"role": "user", "content": req.input}]
        last = msgs[-1]["content"]
        self.prompts.append(last)
        rnd = random.Random(f"{req.seed}-{last}")
        if "Schedule a" in last:  # the planning task: critic notes, or a random half-hour slot
            if "You are a critic" in last:
                return [Completion("Some proposals overlap busy times.", "stop", 50, 8)] * req.n
            h, m = rnd.randint(9, 16), rnd.choice([0, 30])
            end = h * 60 + m + 30
            return [Completion(f"{h}:{m:02d}-{end // 60}:{end % 60:02d}", "stop", 50, 6)] * req.n
        if "Task:" in last or "instruction" in last.lower() or "advice" in last.lower():
            if len(self.prompts) % self.garbage_every == 0:
                text = "!!! ### 123"  # garbage the guard must reject
            else:
                text = rnd.choice(
                    [
                        "Sure! Here is the new instruction: Answer with only the final word.",
                        "Reply with only the answer, nothing else.",
                        "Instruction: Read carefully and answer in one word only.",
                    ]
                )
            return [Completion(text, "stop", 20, 10)] * req.n
        system = msgs[0]["content"] if msgs[0]["role"] == "system" else ""
        demos = sum(1 for m in msgs if m["role"] == "assistant")
        if "only" in system or demos >= 2:
            words = last.lower()
            if "+" in words or "plus" in words or "add" in words:
                nums = [int(t) for t in words.replace("?", " ").replace(".", " ").split() if t.isdigit()]
                text = str(sum(nums))
            else:
                positive = ("not" in words) != any(
                    w in words
                    for w in (
                        "great",
                        "wonderful",
                        "excellent",
                        "amazing",
                        "lovely",
                        "superb",
                        "fantastic",
                        "delightful",
                        "enjoyable",
                        "brilliant",
                        "pleasant",
                        "charming",
                    )
                )
                text = "positive" if positive else "negative"
        else:
            text = "Well, I think this is an interesting question."
        return [Completion(text, "stop", 30, 3)] * req.n
