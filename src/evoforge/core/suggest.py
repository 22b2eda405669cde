"""``did you mean``: the known names nearest to a mistyped one (difflib), for one-line errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"; did you mean 'evolve'?"`` (up to three close names, nearest first), or "" when none is close.
    Case, ``-`` and ``_`` do not count against a name."""
    by_key: dict[str, str] = {}
    for k in known:
        by_key.setdefault(_key(k), k)
    close = difflib.get_close_matches(_key(name), list(by_key), n=3, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {' or '.join(repr(by_key[c]) for c in close)}?"


def _key(name: str) -> str:
    return str(name).lower().replace("_", "-")
