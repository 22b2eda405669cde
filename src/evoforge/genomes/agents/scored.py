"""Scored seed archives: the hand-designed agents' per-item results on a task's search items, saved
once and reused by every search on the same items, so a design search spends its calls on new agents
rather than re-scoring the same seed archive (ADAS scores it before its meta agent writes anything).

The file is JSON (never unpickled): ``{"format": 1, "items": <digest>, "model": <spec>, "calls": n,
"agents": {name: {"correct": [0/1 per item], "calls": k}}}``. ``items`` is a digest of the items an
evaluation scores, so a file made for other items (another task, level, seed or ``per_eval``) is
refused rather than silently reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMAT = 1


class ScoredArchiveError(ValueError):
    """A scored-archive file that cannot be used here; the message says why."""


def items_digest(items: Sequence[dict[str, Any]]) -> str:
    """A short digest of ``items`` (their full content, answers included)."""
    text = json.dumps(list(items), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_scores(path: Path, items: Sequence[dict[str, Any]], model: str, agents: dict[str, dict[str, Any]]) -> None:
    """Write the per-item results ``agents`` (name -> {"correct", "calls"}) of agents scored on ``items``."""
    body = {
        "format": FORMAT, "items": items_digest(items), "model": model,
        "calls": sum(int(a.get("calls") or 0) for a in agents.values()), "agents": agents,
    }  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=1))
    tmp.replace(path)


def load_scores(path: str | Path, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The file's contents, checked: it exists, is this format, and was made on ``items``."""
    try:
        body = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ScoredArchiveError(f"scored archive {path}: no such file") from None
    except (OSError, ValueError) as err:
        raise ScoredArchiveError(f"scored archive {path}: not readable JSON ({err})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("agents"), dict):
        raise ScoredArchiveError(f"scored archive {path}: not a format-{FORMAT} scored archive")
    if body.get("items") != items_digest(items):
        raise ScoredArchiveError(
            f"scored archive {path}: made on other items than this task's (another task, level, seed or per_eval)"
        )
    for name, entry in body["agents"].items():
        correct = entry.get("correct") if isinstance(entry, dict) else None
        if not isinstance(correct, list) or not all(isinstance(c, (int, float)) and 0 <= c <= 1 for c in correct):
            raise ScoredArchiveError(f"scored archive {path}: agent {name!r} has no per-item scores in [0, 1]")
    return body
