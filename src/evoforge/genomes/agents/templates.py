"""The prompts a meta agent is shown: how agents are written here (the runtime's API), the archive
of designs so far, and what to answer. Written for small models: short, one example, one format."""

from __future__ import annotations

from typing import Any

API = """An agent is Python code defining forward(task, tools) that returns the answer text.
- task: a dict; task["question"] is the problem, task["format"] says how to give the answer.
- tools.llm(prompt, system=None, temperature=0.0, max_tokens=256) -> str: ask the language model.
- tools.calculator("2*(3+4)") -> number; tools.search(query) -> texts.
- tools.python(code) -> what the code prints (a model's reply with a ```python block runs that block).
- tools.parts: a dict of the agent's own text parts (prompts, roles, settings).
Each model call is costly: use few (at most {call_limit} per task). Only the standard library is available."""

ANSWER = """Reply with one JSON object and nothing else:
{{"thought": "<the idea, briefly>", "name": "<a short name>", "code": "<the full Python code of forward>"}}"""


def describe(entry: dict[str, Any], fitness: float | None, limit: int = 1500) -> str:
    """One archive entry as text: name, fitness, parts and code."""
    head = f"## {entry.get('name') or 'unnamed agent'}" + (f" (fitness {fitness:.2f})" if fitness is not None else "")
    parts = "\n".join(f"  {k}: {v!r}" for k, v in (entry.get("parts") or {}).items())
    return f"{head}\nparts:\n{parts}\ncode:\n{str(entry.get('code', ''))[:limit]}"


def meta_prompt(task_description: str, archive: list[tuple[dict[str, Any], float]], call_limit: int) -> str:
    """ADAS-style: the archive (as given: adas passes its best entries in the order found) and a request
    for a new, different agent."""
    shown = "\n\n".join(describe(g, f) for g, f in archive)
    return (
        f"You design agents that solve this task:\n{task_description}\n\n{API.format(call_limit=call_limit)}\n\n"
        f"Agents found so far, with their fitness (share of tasks solved):\n\n{shown}\n\n"
        "Design a NEW agent that should do better than all of these: learn from them and try an "
        f"interesting new idea.\n{ANSWER}"
    )


def improve_prompt(task_description: str, parent: dict[str, Any], score: float, feedback: str, call_limit: int) -> str:
    """DGM-style: one agent, its score and failures, and a request to improve it."""
    return (
        f"You improve an agent that solves this task:\n{task_description}\n\n{API.format(call_limit=call_limit)}\n\n"
        f"The current agent (score {score:.2f}):\n{describe(parent, None)}\n\n"
        f"Where it went wrong:\n{feedback[:1500]}\n\n"
        f"Write an improved version of the whole agent.\n{ANSWER}"
    )


def repair_prompt(genome: dict[str, Any], error: str) -> str:
    """The agent failed to run: show the error and ask for fixed code."""
    return (
        f"This agent failed with an error.\n{describe(genome, None)}\n\nError: {error[:800]}\n\n"
        f"Fix the code; keep the idea.\n{ANSWER}"
    )
