"""Values read from a run file made safe to pass on: finite numbers or None, strings cut to a length."""

from __future__ import annotations

import json
import math
from typing import Any


def num(value: Any) -> float | None:
    """A finite float, or None (SQLite columns hold whatever a file's writer put there)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def text(value: Any, limit: int = 300) -> str:
    """A string of at most ``limit`` characters (markup is the page's job: it never parses this as HTML)."""
    s = value if isinstance(value, str) else ("" if value is None else json.dumps(value, default=str))
    return s if len(s) <= limit else s[:limit] + "..."
