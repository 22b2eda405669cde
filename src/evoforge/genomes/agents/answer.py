"""A meta agent's answer as an agent genome. Answers come as a JSON object with ``code`` (ADAS's format),
as a fenced code block, or, from small models, as something in between: JSON whose code is a Python
triple-quoted string, a brace left inside the code, a reply cut at the token limit. The parser takes the
first of these that yields code defining ``forward(task, tools)`` that parses; the last resort keeps the
longest run of lines from ``def forward`` on that parses. Nothing is run here."""

from __future__ import annotations

import ast
import json
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from .genome import AgentGenomeError, check_genome, make_genome

_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)(?:```|$)", re.DOTALL)
_CODE_STRING = re.compile(r'"code"\s*:\s*"')
_NAME = re.compile(r'"name"\s*:\s*"([^"\n]{1,80})"')


def parse_answer(text: str, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A model's answer as a genome: a JSON object with ``code`` (and ``name``, ``thought``,
    ``parts``), else the code defining ``forward`` found in it (see the module); the parts missing
    from the answer come from ``base``. Raises :class:`AgentGenomeError` saying what was wrong."""
    if not isinstance(text, str) or not text.strip():
        raise AgentGenomeError("empty answer")
    parts = dict((base or {}).get("parts") or {})
    found = _json_object(text)
    if found is not None and isinstance(found.get("code"), str):
        new_parts = found.get("parts") if isinstance(found.get("parts"), dict) else {}
        name, thought = str(found.get("name") or "")[:80], str(found.get("thought") or "")[:2000]
        return check_genome(make_genome(found["code"], {**parts, **new_parts}, name, thought))
    named = _NAME.search(text)
    name = named.group(1) if named else str((base or {}).get("name") or "")
    candidates = [*_json_code_strings(text), *(b for b in _FENCE.findall(text)[::-1] if "def forward" in b)]
    if not candidates and "def forward" not in text:
        raise AgentGenomeError("the answer has no code defining forward(task, tools)")
    errors = []
    for code in candidates:
        try:
            return check_genome(make_genome(code.strip() + "\n", parts, name))
        except AgentGenomeError as err:
            errors.append(str(err))
    for code in (*candidates, text):
        for salvaged in _forward_prefixes(code):
            try:
                return check_genome(make_genome(salvaged, parts, name))
            except AgentGenomeError as err:
                errors.append(str(err))
    raise AgentGenomeError(errors[0] if errors else "no code defining forward(task, tools) parses")


def _json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text`` (inside a fence or not) that has a ``code`` key."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(text, start)
            if isinstance(value, dict) and "code" in value:
                return value
        except ValueError:
            pass
        start = text.find("{", start + 1)
    return None


def _json_code_strings(text: str) -> Iterator[str]:
    """Values of ``"code": "..."`` that decode as JSON strings although the object around them does not."""
    decoder = json.JSONDecoder()
    for match in _CODE_STRING.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, match.end() - 1)
        except ValueError:
            continue
        if isinstance(value, str) and "def forward" in value:
            yield value


def _forward_prefixes(text: str) -> Iterator[str]:
    """The longest run of lines from the top (helpers kept), then from each ``def forward`` line
    through the lines indented under it, that parses (dedented) with ``forward`` at the top level."""
    lines = text.splitlines()
    spans = [(0, len(lines))]
    for start, line in enumerate(lines):
        if line.lstrip().startswith("def forward"):
            indent, end = len(line) - len(line.lstrip()), start + 1
            while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
                end += 1
            spans.append((start, end))
    for start, end in spans:
        for stop in range(end, start + 1, -1):
            code = textwrap.dedent("\n".join(lines[start:stop])).rstrip() + "\n"
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            if any(isinstance(node, ast.FunctionDef) and node.name == "forward" for node in tree.body):
                yield code
                break
