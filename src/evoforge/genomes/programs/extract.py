"""Pull code out of what a (small) model wrote: fenced or not, cut off at the token limit, wrapped in
prose, with example calls around the function. Every failure comes with a reason."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+.-]*)[^\n]*$", re.M)
_CODE_START = re.compile(r"^[ \t]*(def |async def |class |import |from \w|@\w)", re.M)


@dataclass
class Extracted:
    code: str | None
    reason: str | None = None  # why nothing (or only part) could be used
    notes: list[str] = field(default_factory=list)  # repairs made on the way (trimmed, renamed ...)
    imports: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.code is not None


def _fenced(text: str) -> list[tuple[str, bool]]:
    """Fenced code blocks as (code, terminated). An opening fence without a close runs to the end."""
    out: list[tuple[str, bool]] = []
    marks = list(_FENCE.finditer(text))
    i = 0
    while i < len(marks):
        open_m = marks[i]
        body_start = open_m.end() + 1
        close = next(
            (
                m
                for m in marks[i + 1 :]
                if m.group(1)[0] == open_m.group(1)[0] and len(m.group(1)) >= len(open_m.group(1)) and not m.group(2)
            ),
            None,
        )
        if close is None:
            out.append((text[body_start:], False))
            break
        out.append((text[body_start : close.start()], True))
        i = marks.index(close) + 1
    return [(code, done) for code, done in out if code.strip()]


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def _trim_to_parse(code: str, notes: list[str]) -> str | None:
    """The longest prefix of whole lines that parses (an answer cut off at the token limit)."""
    if _parses(code):
        return code
    lines = code.rstrip().splitlines()
    for cut in range(len(lines) - 1, 0, -1):
        candidate = "\n".join(lines[:cut])
        if candidate.strip() and _parses(candidate):
            notes.append(f"dropped {len(lines) - cut} trailing line(s) that did not parse")
            return candidate
    return None


def extract_code(text: str, prefer: str | None = None) -> Extracted:
    """The code in ``text``. With several fenced blocks, the one defining ``prefer`` (a function name)
    wins, else the longest. Unfenced answers are taken from the first line that looks like code."""
    if not isinstance(text, str) or not text.strip():
        return Extracted(None, "empty answer")
    notes: list[str] = []
    blocks = _fenced(text)
    if blocks:

        def rank(item: tuple[str, bool]) -> tuple[int, int, int]:
            code, _done = item
            defines = bool(prefer) and re.search(rf"\bdef\s+{re.escape(prefer or '')}\b", code) is not None
            return (int(defines), int(_parses(textwrap.dedent(code))), len(code))

        code, done = max(blocks, key=rank)
        if not done:
            notes.append("code fence not closed (answer cut off?)")
    else:
        m = _CODE_START.search(text)
        if m is None:
            return Extracted(None, "no code found in the answer (no fenced block, no def/import line)")
        code = text[m.start() :]
        notes.append("no code fence; took the text from the first code line")
    code = textwrap.dedent(code.replace("\r\n", "\n").replace("\t", "    "))
    trimmed = _trim_to_parse(code, notes)
    if trimmed is None:
        try:
            ast.parse(code)
        except SyntaxError as err:
            return Extracted(None, f"code does not parse: line {err.lineno}: {err.msg}", notes)
        except (ValueError, MemoryError, RecursionError) as err:
            return Extracted(None, f"code does not parse: {type(err).__name__}", notes)
    return Extracted(trimmed, None, notes)


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.value.id for n in ast.walk(node) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }


def extract_function(text: str, name: str, allow_rename: bool = True) -> Extracted:
    """Just the function ``name`` from ``text`` (plus helper functions it calls that the answer defines,
    and the answer's import lines in ``imports``). Example code, tests and prints around it are dropped.
    A single function with another name (``priority_v2``) is renamed when ``allow_rename``."""
    got = extract_code(text, prefer=name)
    if got.code is None:
        return got
    notes = list(got.notes)
    tree = ast.parse(got.code)
    funcs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    target = funcs.get(name)
    if target is None:
        if not funcs:
            return Extracted(None, f"no function definition in the answer (expected def {name}(...))", notes)
        candidates = [f for f in funcs.values() if name in f.name] or list(funcs.values())
        if not allow_rename or (len(candidates) != 1 and not any(name in f.name for f in candidates)):
            return Extracted(None, f"answer defines {', '.join(sorted(funcs))} but not {name}", notes)
        target = candidates[-1]
        notes.append(f"renamed {target.name} to {name}")
        old = target.name
        target.name = name
        for other in funcs.values():  # recursive calls
            for n in ast.walk(other):
                if isinstance(n, ast.Name) and n.id == old:
                    n.id = name
        funcs = {(name if k == old else k): v for k, v in funcs.items()}
    lines = got.code.splitlines()
    wanted = [target]
    used = _names_used(target)
    for helper_name, helper in funcs.items():
        if helper is not target and helper_name in used:
            wanted.insert(0, helper)
    dropped = len([n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]) - len(wanted)
    if dropped > 0:
        notes.append(f"dropped {dropped} top-level statement(s) outside the function")
    pieces = []
    for node in wanted:
        first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        if node is target and target.name != name:
            pass
        src = "\n".join(lines[first : node.end_lineno])
        if node is target and any("renamed" in n for n in notes):
            src = ast.unparse(node)
        pieces.append(src)
    imports = [
        ast.get_source_segment(got.code, n) or ast.unparse(n)
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
    ]
    body = target.body
    if (len(body) == 1 and isinstance(body[0], (ast.Pass, ast.Expr)) and not isinstance(body[0], ast.Expr)) or (
        len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    ):
        return Extracted(None, f"function {name} has an empty body", notes)
    return Extracted("\n\n".join(pieces) + "\n", None, notes, imports)
