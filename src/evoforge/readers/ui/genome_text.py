"""Genomes as text to read and to diff: programs and prompts as they are, structured genomes (agent
designs) with their text fields unescaped, vectors one value a line."""

from __future__ import annotations

import difflib
import json
from typing import Any

MAX_CHARS = 100_000  # a genome longer than this is shown cut (run files from elsewhere may hold anything)
MAX_DIFF_LINES = 2_000


def genome_text(genome: Any) -> str:
    """Readable text of any JSON genome, cut at ``MAX_CHARS``."""
    if isinstance(genome, str):
        text = genome
    elif isinstance(genome, dict):
        text = "\n".join(_field(str(k), v) for k, v in genome.items())
    elif isinstance(genome, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in genome):
        text = "\n".join(f"[{i}] {v:.6g}" for i, v in enumerate(genome))
    else:
        text = json.dumps(genome, indent=1, default=str)
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + f"\n... ({len(text)} chars, cut)"


def _field(key: str, value: Any) -> str:
    if isinstance(value, str) and "\n" in value:
        return f"## {key}\n{value}"
    return f"{key}: {json.dumps(value, default=str)}"


def text_diff(parent: str, child: str) -> list[str]:
    """A unified diff of ``parent`` -> ``child`` (lines starting ``+``, ``-``, `` `` or ``@@``)."""
    lines = list(difflib.unified_diff(parent.splitlines(), child.splitlines(), "parent", "child", n=3, lineterm=""))[
        2:
    ]  # the two file-name lines say nothing here
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return lines
