"""Turning a model's answer into a program: merge rewritten functions into the evolve blocks, apply a
SEARCH/REPLACE edit (a whole function written instead is used as a rewrite), insert a few lines that
change the line variable (``result``, or what the task's ``LINE_EXAMPLE`` assigns) before the final
``return``; each outcome is a :class:`Proposal` with the reason when it is unusable."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .blocks import blocks, evolve_text, function_names, function_node, replace_block, replace_function
from .diff import apply_diff
from .extract import extract_code, extract_function


@dataclass
class Proposal:
    program: str | None
    how: str  # diff, rewrite, diff->rewrite, ...
    reason: str | None = None
    thought: str | None = None


_SKIP_PREFIXES = ("#", "def ", "import ", "from ", "print(", "```", '"' * 3, "'" * 3)


def merge_code(program: str, code: str, imports: list[str] | None = None) -> str | None:
    """Put the functions of ``code`` into ``program``'s evolve blocks: a function that exists is
    replaced where it is, a new one goes into the last block; missing imports go first in the block."""
    try:
        new_tree = ast.parse(code)
    except SyntaxError:
        return None
    lines = code.splitlines()
    new_funcs = [
        (n.name, "\n".join(lines[min([n.lineno] + [d.lineno for d in n.decorator_list]) - 1 : n.end_lineno]))
        for n in new_tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    if not new_funcs:
        return None
    found = blocks(program)
    texts = [b.text for b in found]
    for name, src in new_funcs:
        for i, text in enumerate(texts):
            if name in function_names(text):
                replaced = replace_function(text, name, src + "\n")
                if replaced is not None:
                    texts[i] = replaced
                    break
        else:
            texts[-1] = texts[-1].rstrip("\n") + "\n\n\n" + src + "\n"
    missing = [imp for imp in (imports or []) if imp.strip() and imp.strip() not in program]
    if missing:
        texts[0] = "\n".join(missing) + "\n" + texts[0]
    out = program
    for i in reversed(range(len(found))):
        out = replace_block(out, i, texts[i])
    return out


def line_variable(example: str) -> str:
    """The variable a task's one-line edits change: the target of its ``LINE_EXAMPLE``
    (``score = score + ...`` -> ``score``); ``result`` when the example assigns none."""
    m = re.match(r"\s*([A-Za-z_]\w*)\s*[-+*/]?=", example or "")
    return m.group(1) if m else "result"


def _function_node(text: str, function: str) -> ast.FunctionDef | None:
    """``function``'s plain ``def`` in ``text`` (line edits leave ``async def`` alone)."""
    node = function_node(text, function)
    return node if isinstance(node, ast.FunctionDef) else None


def result_form(program: str, function: str, variable: str = "result") -> str | None:
    """``program`` in the shape the line operator edits: ``function`` ends with ``return <expression>``
    and assigns ``variable`` before it. For ``result`` a final ``return EXPR`` is split into
    ``result = EXPR`` and ``return result``; another variable must already be assigned in the function
    (``score = ...`` then ``return pick(score)``). None when that is not possible."""
    for b in blocks(program):
        node = _function_node(b.text, function)
        if node is None:
            continue
        last = node.body[-1]
        if not isinstance(last, ast.Return) or last.value is None or last.end_lineno is None:
            return None
        if variable != "result" or (isinstance(last.value, ast.Name) and last.value.id == "result"):
            assigned = {
                t.id
                for stmt in node.body[:-1]
                for t in ast.walk(stmt)
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)
            }
            return program if variable in assigned or variable == "result" else None
        lines = b.text.split("\n")
        first = lines[last.lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        expr = ast.get_source_segment(b.text, last.value)
        if expr is None:
            return None
        tail = lines[last.end_lineno - 1][last.end_col_offset or 0 :]
        comment = "  " + tail.strip() if tail.strip().startswith("#") else ""
        if "\n" in expr:
            expr = "(" + " ".join(x.strip() for x in expr.split("\n")) + ")"
        new = [f"{indent}result = {expr}{comment}", f"{indent}return result"]
        text = "\n".join(lines[: last.lineno - 1] + new + lines[last.end_lineno :])
        return replace_block(program, b.index, text)
    return None


def answer_lines(answer: str, variable: str = "result") -> list[str]:
    """The statement lines of a short answer: fenced code or bare lines, without def/return/import
    lines, prose or comments; ``return X`` becomes ``<variable> = X``."""
    m = re.search(r"```[\w+-]*[^\n]*\n(.*?)(```|$)", answer or "", re.DOTALL)
    text = m.group(1) if m else (answer or "")
    out = []
    for raw in text.replace("\t", "    ").split("\n"):
        line = raw.strip()
        if not line or line.startswith(_SKIP_PREFIXES):
            continue
        if line.startswith("return "):
            line = f"{variable} = " + line[len("return ") :]
        try:
            ast.parse(line)
        except (SyntaxError, ValueError):
            continue
        if not m and not re.search(r"[=(]", line):  # prose without a fence
            continue
        out.append(line)
    return out


def from_rewrite(parent_program: str, answer: str, function: str) -> Proposal:
    """The program with the answer's version of ``function`` (or of a helper it defines) merged in."""
    got = extract_function(answer, function)
    if not got.ok:
        other = extract_code(answer)  # helper-only answers (e.g. max_radii) are still usable
        if other.ok and any(n in function_names(evolve_text(parent_program)) for n in function_names(other.code)):
            got = other
        else:
            return Proposal(None, "rewrite", f"rewrite: {got.reason}")
    program = merge_code(parent_program, got.code, got.imports)
    if program is None:
        return Proposal(None, "rewrite", "rewrite: could not merge the code into the program")
    return Proposal(program, "rewrite")


def from_diff(parent_program: str, answer: str, function: str) -> Proposal:
    """The program with the answer's SEARCH/REPLACE edit applied (a whole function: used as a rewrite)."""
    result = apply_diff(parent_program, answer)
    if result.ok:
        return Proposal(result.source, "diff")
    # a small model often writes the whole function instead of an edit: use it
    alt = from_rewrite(parent_program, answer, function)
    if alt.program is not None:
        return Proposal(alt.program, "diff-as-rewrite")
    return Proposal(None, "diff", f"diff: {result.reason}"[:300])


def from_lines(parent_program: str, answer: str, function: str, variable: str = "result") -> Proposal:
    """Insert the answer's lines before the final ``return`` of ``function`` (they change ``variable``);
    an answer that is a whole function is used as a rewrite."""
    if re.search(rf"\bdef\s+{re.escape(function)}\b", answer or ""):
        alt = from_rewrite(parent_program, answer, function)
        if alt.program is not None:
            alt.how = "line-as-rewrite"
            return alt
    program = result_form(parent_program, function, variable)
    if program is None:
        return Proposal(None, "line", f"line: the function does not end with `return` after setting `{variable}`")
    text = evolve_text(program)
    have = {"".join(x.split("#")[0].split()) for x in text.split("\n")}
    lines = [ln for ln in answer_lines(answer, variable) if "".join(ln.split("#")[0].split()) not in have][:4]
    if not lines:
        return Proposal(None, "line", "line: no new code line in the answer")
    for b in blocks(program):
        node = _function_node(b.text, function)
        if node is None:
            continue
        rows = b.text.split("\n")
        at = node.body[-1].lineno - 1  # the final return
        indent = rows[at][: len(rows[at]) - len(rows[at].lstrip())]
        new = "\n".join(rows[:at] + [f"{indent}{ln}" for ln in lines] + rows[at:])
        try:
            ast.parse(new)
        except SyntaxError as err:
            return Proposal(None, "line", f"line: syntax error: {err.msg}")
        return Proposal(replace_block(program, b.index, new), "line")
    return Proposal(None, "line", f"line: no `{function}` found")
