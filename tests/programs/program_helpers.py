"""Shared by the program-evolution unit tests: the completion object their scripted models return."""

from dataclasses import dataclass


@dataclass
class Answer:
    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 10
    completion_tokens: int = 10
    cached: bool = False
