"""A scripted model for the agent tests (a Model subclass: real usage meter, cache, budget).
Only for unit tests: never behind the CLI, a benchmark or the README.

As the agents' model it answers "What is A + B?" right only when the prompt says "carefully" (else
0), and returns an empty reply when the prompt says "EMPTY". As the meta agent it writes, in turn, a
good agent (its instruction says "carefully"), an answer with no code, or an agent that crashes,
chosen by the request's seed (so a resumed run gets the same answers)."""

from __future__ import annotations

import json
import re

from evoforge.llm.base import Model
from evoforge.llm.types import Completion

GOOD = """
def forward(task, tools):
    return tools.llm(task["question"] + " " + tools.parts["instruction"] + " " + task["format"])
"""
CRASH = """
def forward(task, tools):
    return undefined_name
"""

TASK_FILE = """
from evoforge.genomes.agents import AgentTask

def score(item, answer):
    return float(str(answer).strip().endswith(item["answer"]))

ITEMS = [{"question": f"What is {a} + {b}?", "answer": str(a + b)} for a in range(1, 7) for b in range(1, 4)]
TASK = AgentTask(description="add two numbers", search=ITEMS[:12], heldout=ITEMS[12:], score=score,
                 items_per_eval=4, call_limit=6, item_seconds=10)
"""


class ScriptedAgentModel(Model):
    backend = "scripted"

    def __init__(self, name: str = "scripted"):
        super().__init__(name)
        self.meta_calls = 0

    def _generate(self, req):
        msgs = req.input if isinstance(req.input, list) else [{"role": "user", "content": req.input}]
        text = "\n".join(m["content"] for m in msgs)
        if "Reply with one JSON object" in text:
            self.meta_calls += 1
            if "failed with an error" in text:
                reply = json.dumps(
                    {"thought": "fixed", "name": "fixed", "code": GOOD, "parts": {"instruction": "Think carefully."}}
                )
            else:
                n = self.meta_calls if req.seed is None else req.seed  # seeded: the same answer after a resume
                turn = n % 3
                if turn == 1:
                    reply = json.dumps(
                        {
                            "thought": "be careful",
                            "name": f"careful-{n}",
                            "code": GOOD + f"# v{n}\n",
                            "parts": {"instruction": "Think carefully."},
                        }
                    )
                elif turn == 2:
                    reply = "I would design a great agent but I will not write code."
                else:
                    reply = json.dumps({"thought": "oops", "name": "crash", "code": CRASH + f"# v{n}\n"})
            return [Completion(reply, "stop", 100, 50)] * req.n
        if "EMPTY" in text:
            return [Completion("", "length", 10, 0)] * req.n
        found = re.search(r"What is (\d+) \+ (\d+)\?", text)
        if found:
            right = int(found.group(1)) + int(found.group(2))
            value = right if "carefully" in text else 0
            return [Completion(f"Let me see. Answer: {value}", "stop", 20, 6)] * req.n
        return [Completion("CORRECT. 1", "stop", 20, 3)] * req.n
