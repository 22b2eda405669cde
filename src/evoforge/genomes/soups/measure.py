"""What is measured of a soup (tapes x bytes, uint8): the Shannon entropy of its bytes, a compression
estimate of its Kolmogorov complexity, and their difference, the paper's *high-order entropy*: about 0
for uniformly random bytes (nothing beyond the byte frequencies to compress) and high for a soup of
copies of a few tapes. Also the distinct bytes and tapes, and the most common tape.

Complexity is brotli's compressed size in bits per byte, at quality 2 with a 16 MiB window (what the
paper's code uses; a window that holds the whole soup sees copies far apart). brotli comes with
``evoforge[alife]``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from evoforge.core.errors import ConfigError

from .bff import jit

QUALITY, WINDOW = 2, 24  # brotli's quality and log2 window size


@jit
def _histogram(data: np.ndarray) -> np.ndarray:
    counts = np.zeros(256, dtype=np.int64)
    for b in data:
        counts[b] += 1
    return counts


def byte_counts(soup: np.ndarray) -> np.ndarray:
    """How often each of the 256 byte values occurs."""
    return _histogram(np.ascontiguousarray(soup).reshape(-1))


def shannon_entropy(counts: np.ndarray) -> float:
    """Bits per byte of the byte distribution ``counts`` (0 to 8)."""
    p = counts[counts > 0] / counts.sum()
    return float(max(0.0, -(p * np.log2(p)).sum()))


def complexity(soup: np.ndarray) -> float:
    """brotli's compressed size of the soup, in bits per byte."""
    try:
        import brotli
    except ImportError:
        raise ConfigError("measuring a soup needs brotli: pip install 'evoforge[alife]'") from None
    data = np.ascontiguousarray(soup).tobytes()
    return len(brotli.compress(data, quality=QUALITY, lgwin=WINDOW)) * 8 / max(1, len(data))


def tapes(soup: np.ndarray) -> tuple[int, np.ndarray, int]:
    """The number of distinct tapes, the most common tape (the first in byte order among equals) and its copies."""
    rows = np.ascontiguousarray(soup)
    keys = rows.view(np.dtype((np.void, rows.shape[1]))).reshape(-1)
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    top = int(np.argmax(counts))
    return len(counts), rows[first[top]].copy(), int(counts[top])


def measure(soup: np.ndarray) -> dict[str, Any]:
    """Everything above as JSON: ``shannon``, ``complexity``, ``high_order`` (bits per byte), ``unique_bytes``,
    ``unique_tapes``, ``top`` (the most common tape, hex) and ``top_count``."""
    counts = byte_counts(soup)
    h = shannon_entropy(counts)
    k = complexity(soup)
    distinct, top, top_count = tapes(soup)
    return {
        "shannon": round(h, 6),
        "complexity": round(k, 6),
        "high_order": round(h - k, 6),
        "unique_bytes": int((counts > 0).sum()),
        "unique_tapes": distinct,
        "top": top.tobytes().hex(),
        "top_count": top_count,
    }


def jump_epoch(rows: list[dict[str, Any]], threshold: float) -> int | None:
    """The epoch of the first record whose high-order entropy reached ``threshold`` (None: none did)."""
    for row in rows:
        value = row.get("high_order")
        if isinstance(value, (int, float)) and math.isfinite(value) and value >= threshold:
            return int(row["epoch"])
    return None
