"""The agent genome: the agent's code and its text parts, as one JSON-able dict::

    {"code": "def forward(task, tools): ...",   # Python defining forward(task, tools)
     "parts": {"instruction": "...", "samples": 3},  # prompts, roles, mechanism switches
     "name": "CoT", "thought": "why this design"}   # optional

Evaluation keys a recipe may add (not part of the design): ``items`` (indices of search items to
score), ``split`` (``search``; ``heldout`` only outside a search) and ``beat`` (race the agent
against this score: :mod:`.racing`). Everything here is checked
without running the code: that happens only in the sandbox (:mod:`.runtime`).
"""

from __future__ import annotations

import ast
from typing import Any

from evoforge.core.candidate import Candidate

MAX_CODE = 20_000
MAX_PART = 4_000
EVAL_KEYS = ("items", "split", "beat")


class AgentGenomeError(ValueError):
    """A genome (or a model's answer) that is not a usable agent; the message says why, in one line."""


def make_genome(code: str, parts: dict[str, Any] | None = None, name: str = "", thought: str = "") -> dict[str, Any]:
    genome: dict[str, Any] = {"code": code, "parts": dict(parts or {})}
    if name:
        genome["name"] = name
    if thought:
        genome["thought"] = thought
    return genome


def check_genome(genome: Any) -> dict[str, Any]:
    """The genome, checked and normalised (a bare string is taken as the code)."""
    if isinstance(genome, str):
        genome = {"code": genome}
    if not isinstance(genome, dict) or not isinstance(genome.get("code"), str):
        raise AgentGenomeError("an agent genome is a dict with 'code' (Python defining forward(task, tools))")
    code = genome["code"]
    if len(code) > MAX_CODE:
        raise AgentGenomeError(f"agent code longer than {MAX_CODE} characters")
    check_code(code)
    parts = genome.get("parts") or {}
    if not isinstance(parts, dict):
        raise AgentGenomeError("'parts' must be a dict of names to text, numbers or switches")
    clean: dict[str, Any] = {}
    for key, value in parts.items():
        if not isinstance(value, (str, int, float, bool)) or value is None:
            raise AgentGenomeError(f"part {key!r} must be text, a number or a switch")
        clean[str(key)] = value[:MAX_PART] if isinstance(value, str) else value
    out = {**genome, "parts": clean}
    return out


def check_code(code: str) -> None:
    """Syntax and a top-level ``def forward(task, tools)``; nothing is run."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise AgentGenomeError(f"agent code does not parse: {err.msg} (line {err.lineno})") from None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "forward":
            a = node.args
            positional = len(a.args) + len(a.posonlyargs)
            required = positional - len(a.defaults) + sum(d is None for d in a.kw_defaults)
            if (positional < 2 and a.vararg is None) or required > 2:
                raise AgentGenomeError("forward must take two arguments: forward(task, tools)")
            return
    raise AgentGenomeError("agent code defines no top-level function forward(task, tools)")


def design(genome: dict[str, Any]) -> dict[str, Any]:
    """The genome without evaluation keys (what an archive keeps and a model is shown)."""
    return {k: v for k, v in genome.items() if k not in EVAL_KEYS}


def kept(cand: Candidate) -> dict[str, Any]:
    """A scored agent as a recipe keeps it: id, design, score and the evaluation's feedback."""
    return {"id": cand.id, "genome": design(cand.genome), "score": float(cand.score), "feedback": cand.feedback or ""}
