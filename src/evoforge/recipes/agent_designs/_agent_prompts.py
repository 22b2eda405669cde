"""Prompts of the agent-design recipes godel-agent, refine-loop, evoagent and swe-search (short, one
format each, written for small models). The meta agent's shared text (the runtime's API, the answer
format) comes from :mod:`evoforge.genomes.agents.templates`."""

from __future__ import annotations

import json
from typing import Any

from evoforge.genomes.agents.templates import ANSWER, API, describe

SELF_MODIFY = (
    "Read your own code and your recent failures, find the cause, and rewrite yourself so that you solve "
    "more tasks. You may also rewrite this instruction (the part 'self_modify')."
)


def godel_prompt(
    description: str, agent: dict[str, Any], score: float, feedback: str, history: list[str], call_limit: int
) -> str:
    """The agent shown its own code, its failures and its rolled-back changes; its own instruction last."""
    tried = "\n".join(f"- {h}" for h in history) or "- none yet"
    instruction = str(agent.get("parts", {}).get("self_modify") or SELF_MODIFY)
    return (
        f"You are an agent that solves this task:\n{description}\n\n{API.format(call_limit=call_limit)}\n\n"
        f"Your current code and parts (score {score:.2f} on the check set):\n{describe(agent, None)}\n\n"
        f"Your recent failures:\n{feedback[:1500]}\n\nYour earlier changes:\n{tried}\n\n"
        f"{instruction}\n{ANSWER}"
    )


def hypotheses_prompt(description: str, agent: dict[str, Any], score: float, feedback: str, n: int) -> str:
    """The evaluation agent: hypotheses for improvement from the execution results."""
    return (
        f"An agent solves this task:\n{description}\n\n{describe(agent, None)}\n\n"
        f"Executed on the check items it scored {score:.2f}. What went wrong:\n{feedback[:1500]}\n\n"
        f"Give {n} different, concrete hypotheses for changes to the agent that would raise its score, "
        "one per line, each starting with '- '."
    )


def modify_prompt(description: str, agent: dict[str, Any], feedback: str, hypothesis: str, call_limit: int) -> str:
    """The modification agent: apply one hypothesis to the code."""
    return (
        f"You modify an agent that solves this task:\n{description}\n\n{API.format(call_limit=call_limit)}\n\n"
        f"The agent:\n{describe(agent, None)}\n\nWhere it went wrong:\n{feedback[:1000]}\n\n"
        f"Apply this change: {hypothesis}\nWrite the whole modified agent.\n{ANSWER}"
    )


SETTINGS = (
    'Reply with one JSON object and nothing else: {"role": "<who the expert is>", '
    '"instruction": "<how it should work on a task>", "reflect": <true or false: check and revise its answer>}'
)


def mutate_prompt(description: str, expert: dict[str, Any], feedback: str) -> str:
    """EvoAgent's mutation: a different expert from one parent's settings and failures."""
    return (
        f"An expert agent for this task:\n{description}\n\nIts settings: {json.dumps(expert)}\n"
        f"Where it went wrong:\n{feedback[:800]}\n\nCreate a DIFFERENT expert for the same task (another "
        f"role, another way of working) that would avoid these mistakes.\n{SETTINGS}"
    )


def crossover_prompt(description: str, first: dict[str, Any], second: dict[str, Any]) -> str:
    """EvoAgent's crossover: one expert from the strengths of two parents."""
    return (
        f"Two expert agents for this task:\n{description}\n\nExpert A: {json.dumps(first)}\n"
        f"Expert B: {json.dumps(second)}\n\nCreate a new expert that combines the strengths of both.\n{SETTINGS}"
    )


def trajectory(question: str, steps: list[tuple[str, str, str]]) -> str:
    """A coding agent's path so far: (action, draft, observation) per step."""
    lines = [f"Problem:\n{question[:1500]}"]
    for k, (action, draft, observation) in enumerate(steps, 1):
        lines.append(f"Step {k}: {action}\n" + (f"Code:\n{draft[:800]}\n" if action == "edit" else "")
                     + (f"Result:\n{observation[:500]}" if observation else ""))  # fmt: skip
    return "\n\n".join(lines)


def edit_prompt(question: str, steps: list[tuple[str, str, str]], answer_format: str) -> str:
    return (
        f"{trajectory(question, steps)}\n\nWrite the next version of the code that fixes the problem. {answer_format}"
    )


def value_prompt(question: str, steps: list[tuple[str, str, str]]) -> str:
    """SWE-Search's value agent: how promising a state is, with a short reason."""
    return (
        f"{trajectory(question, steps)}\n\nHow likely is it that this path ends in a correct fix? Explain in one "
        "sentence, then end with a line 'Value: <a number from 0 to 100>'."
    )


def discriminator_prompt(question: str, finalists: list[tuple[str, str]]) -> str:
    """SWE-Search's discriminator: pick the final answer among candidate solutions."""
    shown = "\n\n".join(
        f"Candidate {k}:\n{draft[:1200]}\nTest result: {obs[:300] or 'not run'}"
        for k, (draft, obs) in enumerate(finalists, 1)
    )
    return (
        f"Problem:\n{question[:1500]}\n\n{shown}\n\nWhich candidate correctly solves the problem? Argue briefly, "
        "then end with a line 'Choice: <number>'."
    )
