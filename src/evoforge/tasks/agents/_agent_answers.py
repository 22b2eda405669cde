"""Reading answers out of agent replies, shared by the agent tasks."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def final_text(answer: object) -> str:
    """What follows the last ``Answer:`` in the reply (else the whole reply), first line, trimmed."""
    text = str(answer if answer is not None else "")
    i = text.lower().rfind("answer:")
    tail = text[i + 7 :] if i >= 0 else text
    lines = [line for line in tail.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "").strip().strip(".*` ")


def final_number(answer: object) -> float | None:
    """The first number after the last ``Answer:``; without one, the last number in the reply."""
    text = str(answer if answer is not None else "").replace(",", "")
    i = text.lower().rfind("answer:")
    found = _NUMBER.findall(text[i + 7 :]) if i >= 0 else []
    found = found or _NUMBER.findall(text)
    if not found:
        return None
    return float(found[0] if i >= 0 and _NUMBER.findall(text[i + 7 :]) else found[-1])
