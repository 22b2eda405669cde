"""EVOLVE-BLOCK markers: which parts of a program the model may change."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

START = "# EVOLVE-BLOCK-START"
END = "# EVOLVE-BLOCK-END"
_START = re.compile(r"^[ \t]*#\s*EVOLVE-BLOCK-START\b.*$", re.M)
_END = re.compile(r"^[ \t]*#\s*EVOLVE-BLOCK-END\b.*$", re.M)


@dataclass
class Block:
    index: int
    start: int  # offset of the first character inside the block (after the start marker line)
    end: int  # offset of the end marker line
    text: str


def blocks(source: str) -> list[Block]:
    """The evolvable blocks of ``source``, in order. A program without markers is one block: all of it.
    An unterminated start marker runs to the end of the text."""
    found: list[Block] = []
    pos = 0
    while True:
        m = _START.search(source, pos)
        if m is None:
            break
        body_start = m.end() + 1 if m.end() < len(source) else m.end()
        e = _END.search(source, body_start)
        body_end = e.start() if e else len(source)
        found.append(Block(len(found), body_start, body_end, source[body_start:body_end]))
        pos = e.end() if e else len(source)
        if e is None:
            break
    if not found:
        return [Block(0, 0, len(source), source)]
    return found


def evolve_text(source: str) -> str:
    """The evolvable parts joined (what a model is shown when it may only change those)."""
    return "\n".join(b.text.rstrip("\n") for b in blocks(source))


def replace_block(source: str, index: int, new_text: str) -> str:
    """``source`` with block ``index`` replaced by ``new_text`` (markers kept)."""
    found = blocks(source)
    if not 0 <= index < len(found):
        raise IndexError(f"program has {len(found)} evolve block(s), not {index + 1}")
    b = found[index]
    body = new_text if new_text.endswith("\n") or not new_text else new_text + "\n"
    return source[: b.start] + body + source[b.end :]


def function_names(source: str) -> list[str]:
    """Top-level function names defined in ``source`` (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def function_node(source: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The top-level ``def`` (or ``async def``) of ``name`` in ``source``; None when ``source`` does not
    parse or has no such function."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def replace_function(source: str, name: str, new_def: str) -> str | None:
    """``source`` with the top-level function ``name`` replaced by ``new_def`` (a complete ``def``);
    None when ``source`` does not parse or has no such function."""
    node = function_node(source, name)
    if node is None:
        return None
    lines = source.splitlines(keepends=True)
    first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    last = node.end_lineno or node.lineno
    body = new_def if new_def.endswith("\n") else new_def + "\n"
    return "".join(lines[:first]) + body + "".join(lines[last:])


def signature_of(program: str, function: str) -> str:
    """The ``def`` line of top-level ``function`` in ``program`` (empty when there is none)."""
    node = function_node(program, function)
    if node is None:
        return ""
    returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    return f"{prefix} {function}({ast.unparse(node.args)}){returns}:"
