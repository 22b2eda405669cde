"""Travelling salesman, constructive heuristic (as in EoH): evolve ``select_next_node``, which picks the
next city of a tour from the unvisited ones. Score = minus the mean gap (%) of the tours to a
reference (nearest neighbour improved by 2-opt) on random Euclidean instances in the unit square."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evoforge.core.task_value import option
from evoforge.genomes.programs.task import ProgramTaskBase, check, finish, run_in_sandbox

IDEAS = [
    "look ahead: also count the distance from the candidate to its nearest unvisited city",
    "penalise cities far from the destination late in the tour",
    "prefer cities near the convex hull first",
    "combine the distance with the angle of the turn",
    "weigh distance to current against distance to destination",
]

HINT = (
    "`cost`, `distances[current, unvisited]` and `distances[destination, unvisited]` are arrays with one "
    "entry per unvisited city: use arithmetic, masks or np.where, never `if` on an array."
)
LINE_EXAMPLE = "cost = cost + 0.5 * (distances[destination, unvisited] > 0.5)"  # the shape of a line edit

PROGRAM = '''import numpy as np


# EVOLVE-BLOCK-START
def select_next_node(current: int, destination: int, unvisited: np.ndarray, distances: np.ndarray) -> int:
    """Choose the next city to visit from `unvisited` (an array of city indices), standing at `current`;
    the tour ends by returning to `destination`. `distances` is the full distance matrix."""
    cost = distances[current, unvisited]  # nearest neighbour: the city of lowest cost is visited next
    return int(unvisited[np.argmin(cost)])
# EVOLVE-BLOCK-END
'''

HARNESS = """
import numpy as np

def run(program, inputs):
    tours = []
    for pts in inputs["instances"]:
        pts = np.asarray(pts, dtype=float)
        d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
        n = len(pts)
        tour, left = [0], np.arange(1, n)
        while len(left):
            nxt = int(program.select_next_node(tour[-1], 0, left.copy(), d.copy()))
            if nxt not in left:
                raise ValueError(f"select_next_node returned {nxt}, which is not an unvisited city")
            tour.append(nxt)
            left = left[left != nxt]
        tours.append(tour)
    return tours
"""

_CACHE: dict[tuple, tuple[list, list[float]]] = {}


def tour_length(pts: np.ndarray, tour: list[int]) -> float:
    p = pts[tour + tour[:1]]
    return float(np.sqrt(((p[1:] - p[:-1]) ** 2).sum(-1)).sum())


def _two_opt(pts: np.ndarray, tour: list[int]) -> list[int]:
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    tour, n, improved = list(tour), len(tour), True
    while improved:
        improved = False
        for i in range(1, n - 1):
            a, b = tour[i - 1], tour[i]
            c, e = np.array(tour[i + 1 :]), np.array(tour[i + 2 :] + tour[:1])
            gain = d[a, b] + d[c, e] - d[a, c] - d[b, e]
            k = int(np.argmax(gain))
            if gain[k] > 1e-12:
                j = i + 1 + k
                tour[i : j + 1] = reversed(tour[i : j + 1])
                improved = True
    return tour


def instances(count: int, size: int, seed: int) -> tuple[list, list[float]]:
    """``count`` random instances of ``size`` cities and their reference tour lengths."""
    key = (count, size, seed)
    if key not in _CACHE:
        rng = np.random.default_rng(1000 + seed)
        pts_list, refs = [], []
        for _ in range(count):
            pts = rng.random((size, 2))
            d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
            tour, left = [0], set(range(1, len(pts)))
            while left:
                nxt = min(left, key=lambda j: d[tour[-1], j])
                tour.append(nxt)
                left.remove(nxt)
            refs.append(tour_length(pts, _two_opt(pts, tour)))
            pts_list.append(pts.round(6).tolist())
        _CACHE[key] = (pts_list, refs)
    return _CACHE[key]


@dataclass(kw_only=True)
class TSP(ProgramTaskBase):
    description: str = "constructive TSP heuristic select_next_node on random Euclidean instances (EoH)"
    function: str | None = "select_next_node"
    ideas: tuple[str, ...] | None = tuple(IDEAS)
    hint: str = HINT
    line_example: str = LINE_EXAMPLE
    instances: int = option(8, help="instances per evaluation")
    size: int = option(50, help="cities per instance")
    seed: int = option(0, help="which instances")
    timeout: float = option(30.0, help="seconds a program may run")

    def initial(self) -> str:
        return PROGRAM

    def evaluate(self, genome: str) -> dict:
        pts_list, refs = instances(self.instances, self.size, self.seed)
        tours = run_in_sandbox(genome, HARNESS, {"instances": pts_list}, timeout=self.timeout)
        check(isinstance(tours, list) and len(tours) == len(pts_list), "harness returned no tours")
        gaps = []
        for pts, ref, tour in zip(pts_list, refs, tours):
            n = len(pts)
            check(sorted(tour) == list(range(n)), "a tour does not visit every city exactly once")
            gaps.append(100.0 * (tour_length(np.asarray(pts), tour) / ref - 1.0))
        gap = float(np.mean(gaps))
        feedback = (
            f"tours are {gap:.2f}% longer than the reference (nearest neighbour + 2-opt) on "
            f"{len(gaps)} instances of {self.size} cities; lower is better, nearest neighbour gives about 14%."
        )
        return finish(genome, -gap, {"gap_pct": gap, "per_instance_gap_pct": [round(g, 3) for g in gaps]}, feedback)


TASK = TSP()
