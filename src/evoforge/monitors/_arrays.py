"""What the vector monitors share: checked 2-D arrays and squared Euclidean distances in row blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

BLOCK = 1024  # rows per block of a distance matrix (a block of 1024 x 10,000 floats is 80 MB)


def points(name: str, values: Any, *, at_least: int = 1) -> np.ndarray:
    """``values`` as a finite float (n, d) array with n >= ``at_least``; ValueError (one line) if not."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected an (n, d) array of vectors, got shape {arr.shape}")
    if len(arr) < at_least:
        raise ValueError(f"{name}: needs at least {at_least} vectors, got {len(arr)}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: has a value that is not finite (nan or inf)")
    return arr


def squared_distances(a: np.ndarray, b: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(start, block)``: squared Euclidean distances from ``a[start:start + len(block)]`` to every row
    of ``b``, block by block (clipped at 0 against rounding)."""
    b_norms = np.einsum("ij,ij->i", b, b)
    for start in range(0, len(a), BLOCK):
        rows = a[start : start + BLOCK]
        d2 = np.einsum("ij,ij->i", rows, rows)[:, None] - 2.0 * rows @ b.T + b_norms[None, :]
        yield start, np.maximum(d2, 0.0)


def tolerance(*arrays: np.ndarray) -> float:
    """How far two squared distances may differ by rounding alone (the expansion above loses digits)."""
    scale = max(float(np.einsum("ij,ij->i", a, a).max(initial=0.0)) for a in arrays)
    return 1e-12 * max(1.0, scale)
