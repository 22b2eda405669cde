"""Circle packing (AlphaEvolve): place n = 26 disjoint circles in the unit square maximising the sum of
their radii. Strict checks in the parent: exactly n finite circles, positive radii, inside the square
and no overlaps, both up to 1e-9. An invalid packing fails with feedback naming the violations."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.programs.task import ProgramFailure, ProgramTaskBase, check, finish, run_in_sandbox

TOLERANCE = 1e-9

IDEAS = [
    "place circles in a hexagonal pattern",
    "put larger circles in the corners and along the edges",
    "use rows of different sizes (for example 5, 6, 5, 6, 4)",
    "shrink radii less: grow them iteratively while valid",
    "move the centres slightly apart before computing radii",
    "use scipy.optimize to improve centres and radii",
]

PROGRAM = '''import numpy as np


# EVOLVE-BLOCK-START
def construct_packing(n: int = 26):
    """Return (centers, radii): an (n, 2) array of circle centres in the unit square and n radii.
    Circles must lie inside the square and must not overlap. Goal: maximise sum(radii)."""
    rows = 5
    centers = []
    for i in range(n):
        row, col = divmod(i, rows + 1)
        centers.append([(col + 0.5) / (rows + 1), (row + 0.5) / rows])
    centers = np.clip(np.array(centers[:n]), 0.01, 0.99)
    radii = max_radii(centers)
    return centers, radii


def max_radii(centers):
    """Largest radii that keep every circle inside the square and apart from the others."""
    n = len(centers)
    radii = np.minimum.reduce([centers[:, 0], centers[:, 1], 1 - centers[:, 0], 1 - centers[:, 1]])
    for i in range(n):
        for j in range(i + 1, n):
            d = np.linalg.norm(centers[i] - centers[j])
            if radii[i] + radii[j] > d:
                scale = d / (radii[i] + radii[j])
                radii[i] *= scale
                radii[j] *= scale
    return radii
# EVOLVE-BLOCK-END
'''

HARNESS = """
import numpy as np

def run(program, inputs):
    out = program.construct_packing(inputs["n"])
    if not isinstance(out, (tuple, list)) or len(out) < 2:
        raise ValueError("construct_packing must return (centers, radii)")
    centers, radii = np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
    return {"centers": centers.tolist(), "radii": radii.tolist()}
"""


def validate(centers: list, radii: list, n: int, tol: float = TOLERANCE) -> list[str]:
    """Every violation of a valid packing (empty when valid)."""
    problems: list[str] = []
    try:
        c = np.asarray(centers, dtype=float)
        r = np.asarray(radii, dtype=float)
    except (TypeError, ValueError):
        return ["centers/radii are not numeric arrays"]
    if c.shape != (n, 2):
        return [f"expected centers of shape ({n}, 2), got {c.shape}"]
    if r.shape != (n,):
        return [f"expected {n} radii, got shape {r.shape}"]
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(r))):
        return ["centers or radii contain NaN or infinity"]
    bad = np.nonzero(r <= 0)[0]
    if len(bad):
        problems.append(f"{len(bad)} circle(s) with radius <= 0 (e.g. circle {bad[0]})")
    outside = np.nonzero(
        (c[:, 0] - r < -tol) | (c[:, 1] - r < -tol) | (c[:, 0] + r > 1 + tol) | (c[:, 1] + r > 1 + tol)
    )[0]
    if len(outside):
        i = outside[0]
        problems.append(
            f"{len(outside)} circle(s) stick out of the unit square (e.g. circle {i} at "
            f"({c[i, 0]:.4f}, {c[i, 1]:.4f}) radius {r[i]:.4f})"
        )
    diff = c[:, None, :] - c[None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    overlap = (r[:, None] + r[None, :]) - dist
    np.fill_diagonal(overlap, -np.inf)
    pairs = np.argwhere(np.triu(overlap > tol))
    if len(pairs):
        i, j = pairs[0]
        problems.append(f"{len(pairs)} overlapping pair(s) (e.g. circles {i} and {j} overlap by {overlap[i, j]:.2e})")
    return problems


@dataclass(kw_only=True)
class CirclePacking(ProgramTaskBase):
    description: str = "pack 26 circles in the unit square, maximise the sum of radii (AlphaEvolve; record ~2.636)"
    function: str | None = "construct_packing"
    ideas: tuple[str, ...] | None = tuple(IDEAS)
    n: int = option(26, help="circles")
    timeout: float = option(60.0, help="seconds a program may run")

    def initial(self) -> str:
        return PROGRAM

    def evaluate(self, genome: str) -> dict:
        n = self.n
        out = run_in_sandbox(genome, HARNESS, {"n": n}, timeout=self.timeout, preload=("numpy", "scipy.optimize"))
        check(isinstance(out, dict), "harness returned nothing")
        problems = validate(out.get("centers"), out.get("radii"), n)
        if problems:
            raise ProgramFailure("invalid packing: " + "; ".join(problems))
        total = float(np.sum(out["radii"]))
        check(math.isfinite(total), "sum of radii is not finite")
        feedback = f"valid packing of {n} circles, sum of radii {total:.6f} (best known for n=26: about 2.6359)."
        return finish(genome, total, {"sum_radii": total, "n": n}, feedback)


TASK = CirclePacking()
