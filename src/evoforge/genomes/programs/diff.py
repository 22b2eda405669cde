"""SEARCH/REPLACE edits, applied tolerantly: exact match first, then line-by-line ignoring whitespace
(re-indenting the replacement), then a close fuzzy match. Every edit that cannot be used says why.

Accepted shape (marker lengths 3-9, the words SEARCH/REPLACE optional, fences around ignored)::

    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_OPEN = re.compile(r"^\s*<{3,9}\s*(SEARCH)?\s*:?\s*$", re.I)
_MID = re.compile(r"^\s*={3,9}\s*$")
_CLOSE = re.compile(r"^\s*>{3,9}\s*(REPLACE)?\s*:?\s*$", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class DiffResult:
    source: str  # the edited text (the original when nothing applied)
    applied: int = 0  # edits applied
    edits: int = 0  # edits found in the answer
    failures: list[str] = field(default_factory=list)  # one reason per edit that was not applied
    notes: list[str] = field(default_factory=list)  # how edits matched (whitespace, fuzzy)

    @property
    def ok(self) -> bool:
        return self.applied > 0

    @property
    def reason(self) -> str | None:
        if self.applied:
            return None
        return "; ".join(self.failures) or "no edits"


def parse_diff(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(search, replace) pairs in ``text`` and reasons for malformed ones."""
    edits: list[tuple[str, str]] = []
    problems: list[str] = []
    if not isinstance(text, str) or not text.strip():
        return [], ["empty answer"]
    state, search, replace = "out", [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _FENCE.match(line) and state != "out":
            continue
        if state == "out":
            if _OPEN.match(line):
                state, search, replace = "search", [], []
        elif state == "search":
            if _MID.match(line):
                state = "replace"
            elif _OPEN.match(line):
                problems.append("SEARCH marker repeated before ======= (edit restarted)")
                search = []
            elif _CLOSE.match(line):
                problems.append("malformed: SEARCH without ======= separator")
                state = "out"
            else:
                search.append(line)
        elif state == "replace":
            if _CLOSE.match(line):
                edits.append(("\n".join(search), "\n".join(replace)))
                state = "out"
            elif _OPEN.match(line):
                problems.append("malformed: edit not closed with >>>>>>> REPLACE before the next SEARCH")
                edits.append(("\n".join(search), "\n".join(replace)))
                state, search, replace = "search", [], []
            elif _MID.match(line) and not replace:
                continue
            else:
                replace.append(line)
    if state == "search":
        problems.append("last edit cut off inside SEARCH (no ======= / REPLACE)")
    elif state == "replace":
        problems.append("last edit cut off inside REPLACE (no >>>>>>> REPLACE; answer too long?)")
    if not edits and not problems:
        problems.append("no SEARCH/REPLACE edit in the answer")
    return edits, problems


def _norm(line: str) -> str:
    return "".join(line.split())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _reindent(lines: list[str], delta: int) -> list[str]:
    out = []
    for line in lines:
        if not line.strip():
            out.append("")
        elif delta >= 0:
            out.append(" " * delta + line)
        else:
            cut = min(-delta, _indent(line))
            out.append(line[cut:])
    return out


def _line_aligned_find(source: str, search: str) -> int:
    """Offset of ``search`` in ``source`` starting at the beginning of a line, or -1."""
    at = source.find(search)
    while at >= 0:
        if at == 0 or source[at - 1] == "\n":
            return at
        at = source.find(search, at + 1)
    return -1


def _apply_one(source: str, search: str, replace: str) -> tuple[str | None, str]:
    """Returns (new source, how) or (None, why not)."""
    if not search.strip():
        return None, "empty SEARCH section"
    if (
        "\n" not in search.strip("\n")
        and search.strip()
        and _line_aligned_find(source, search) < 0
        and search.strip() in source
        and not any(ln.strip() == search.strip() for ln in source.split("\n"))
    ):
        at = source.find(search.strip())  # a fragment inside a line: plain replacement
        return source[:at] + replace.strip() + source[at + len(search.strip()) :], "exact fragment"
    src_lines = source.split("\n")
    s_lines = [ln.rstrip() for ln in search.split("\n")]
    while s_lines and not s_lines[0].strip():
        s_lines.pop(0)
    while s_lines and not s_lines[-1].strip():
        s_lines.pop()
    if not s_lines:
        return None, "empty SEARCH section"
    # whitespace-insensitive, blank-line-insensitive line match
    code_idx = [i for i, ln in enumerate(src_lines) if ln.strip()]
    code_norm = [_norm(src_lines[i]) for i in code_idx]
    want = [_norm(ln) for ln in s_lines if ln.strip()]
    k = len(want)
    matches = [j for j in range(len(code_norm) - k + 1) if code_norm[j : j + k] == want]
    how = (
        "exact"
        if all(
            src_lines[code_idx[j + i]].rstrip() == ln
            for i, ln in enumerate(x for x in s_lines if x.strip())
            for j in matches[:1]
        )
        else "whitespace-tolerant"
    )
    if not matches:
        best, best_j = 0.0, -1
        joined = "\n".join(want)
        for j in range(len(code_norm) - k + 1):
            ratio = difflib.SequenceMatcher(None, "\n".join(code_norm[j : j + k]), joined, autojunk=False).ratio()
            if ratio > best:
                best, best_j = ratio, j
        if best < 0.9 or best_j < 0:
            where = f" (closest: line {code_idx[best_j] + 1}, similarity {best:.2f})" if best_j >= 0 else ""
            first = s_lines[0].strip()[:60]
            return None, f"SEARCH text not found{where}: {first!r}"
        matches, how = [best_j], f"fuzzy ({best:.2f})"
    j = matches[0]
    first, last = code_idx[j], code_idx[j + k - 1]
    r_lines = [ln.rstrip() for ln in replace.split("\n")]
    while r_lines and not r_lines[-1].strip():
        r_lines.pop()
    while r_lines and not r_lines[0].strip():
        r_lines.pop(0)
    # align the replacement's first line with the first matched line (small models often indent the
    # REPLACE part differently from the SEARCH part)
    delta = _indent(src_lines[first]) - (_indent(r_lines[0]) if r_lines else 0)
    new_lines = src_lines[:first] + _reindent(r_lines, delta) + src_lines[last + 1 :]
    if len(matches) > 1:
        how += f", first of {len(matches)} matches"
    return "\n".join(new_lines), how


def apply_diff(source: str, answer: str | list[tuple[str, str]]) -> DiffResult:
    """Apply the SEARCH/REPLACE edits in ``answer`` (model text or parsed pairs) to ``source``."""
    if isinstance(answer, str):
        edits, problems = parse_diff(answer)
    else:
        edits, problems = list(answer), []
    result = DiffResult(source, edits=len(edits), failures=list(problems) if not edits else [])
    if edits and problems:
        result.notes.extend(problems)
    current = source
    for i, (search, replace) in enumerate(edits, 1):
        if search.strip() == replace.strip() and _norm(search) == _norm(replace):
            result.failures.append(f"edit {i}: SEARCH and REPLACE are the same")
            continue
        new, how = _apply_one(current, search, replace)
        if new is None:
            result.failures.append(f"edit {i}: {how}")
            continue
        if new == current:
            result.failures.append(f"edit {i}: changes nothing")
            continue
        current = new
        result.applied += 1
        if how != "exact":
            result.notes.append(f"edit {i}: {how}")
    result.source = current
    return result
