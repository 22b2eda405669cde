"""The deceptive "hard maze" of novelty search ("Abandoning Objectives: Evolution Through the Search for
Novelty Alone", Lehman & Stanley, 2011), reduced to a point robot: the genome is ``steps`` motor commands
(dx, dy), each clipped to [-1, 1] and scaled by ``speed``; the robot stops where a move would cross a
wall. Score = -distance from the end point to the goal; descriptors = the end point (x, y).

The robot starts inside a cup (a ceiling with two side walls, open at the bottom) with the goal above
it: heading for the goal ends under the ceiling, a local optimum 0.15 from the goal, and escaping means
first moving away from the goal, down and out of the cup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option

START = (0.5, 0.3)
GOAL = (0.5, 0.7)
GOAL_RADIUS = 0.05
# Walls as segments (x1, y1, x2, y2): the outer box and the cup.
WALLS = np.array(
    [
        [0.0, 0.0, 1.0, 0.0],
        [1.0, 0.0, 1.0, 1.0],
        [1.0, 1.0, 0.0, 1.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.1, 0.55, 0.9, 0.55],
        [0.1, 0.55, 0.1, 0.1],
        [0.9, 0.55, 0.9, 0.1],
    ]
)


def end_points(genomes, speed: float) -> np.ndarray:
    """End points of a batch of genomes (rows), simulated together. Returns shape (batch, 2)."""
    g = np.atleast_2d(np.asarray(genomes, dtype=float))
    moves = speed * np.clip(g.reshape(len(g), -1, 2), -1.0, 1.0)
    pos = np.tile(np.asarray(START, dtype=float), (len(g), 1))
    p1, p2 = WALLS[:, :2], WALLS[:, 2:]
    wall_dir = p2 - p1
    for step in range(moves.shape[1]):
        d = moves[:, step]
        # Segment pos + t d (t in [0, 1]) against every wall p1 + u w: solve the 2x2 systems at once.
        denom = d[:, None, 0] * wall_dir[None, :, 1] - d[:, None, 1] * wall_dir[None, :, 0]
        diff = p1[None] - pos[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (diff[..., 0] * wall_dir[None, :, 1] - diff[..., 1] * wall_dir[None, :, 0]) / denom
            u = (diff[..., 0] * d[:, None, 1] - diff[..., 1] * d[:, None, 0]) / denom
        hit = (np.abs(denom) > 1e-12) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
        frac = np.minimum(1.0, np.where(hit, np.maximum(t - 1e-3, 0.0), 1.0).min(axis=1))
        pos = pos + frac[:, None] * d
    return np.clip(pos, 0.0, 1.0)


def _result(end: np.ndarray) -> dict:
    dist = float(np.hypot(end[0] - GOAL[0], end[1] - GOAL[1]))
    return {
        "score": -dist,
        "descriptors": [float(end[0]), float(end[1])],
        "metrics": {"distance": dist, "reached": dist <= GOAL_RADIUS},
    }


_WALL_LIST = [tuple(map(float, w)) for w in WALLS]


def end_point(genome, speed: float) -> tuple[float, float]:
    """The same simulation as :func:`end_points` for one genome, in plain floats (faster for one)."""
    g = [min(1.0, max(-1.0, float(v))) * speed for v in genome]
    x, y = START
    for i in range(0, len(g) - 1, 2):
        dx, dy = g[i], g[i + 1]
        frac = 1.0
        for x1, y1, x2, y2 in _WALL_LIST:
            wx, wy = x2 - x1, y2 - y1
            denom = dx * wy - dy * wx
            if abs(denom) <= 1e-12:
                continue
            ex, ey = x1 - x, y1 - y
            t = (ex * wy - ey * wx) / denom
            u = (ex * dy - ey * dx) / denom
            if 0.0 <= t <= 1.0 and 0.0 <= u <= 1.0:
                frac = min(frac, max(t - 1e-3, 0.0))
        x, y = x + frac * dx, y + frac * dy
    return min(1.0, max(0.0, x)), min(1.0, max(0.0, y))


def draw_maze(ax) -> None:
    """Draw the walls, start and goal on a matplotlib axis (used by ``evoforge plot``)."""
    for x1, y1, x2, y2 in WALLS:
        ax.plot([x1, x2], [y1, y2], color="black", lw=2)
    ax.plot(*START, "bs", label="start")
    ax.add_patch(
        __import__("matplotlib.patches", fromlist=["Circle"]).Circle(GOAL, GOAL_RADIUS, color="red", alpha=0.5)
    )


@dataclass(kw_only=True)
class HardMaze(TaskValue):
    """``steps`` moves of at most ``speed`` each; the genome is their (dx, dy) in [-1, 1]."""

    kind: ClassVar[str] = "vector"
    description: str = "deceptive maze, point robot with open-loop moves; descriptors = end point (x, y)"
    steps: int = option(25, help="moves per genome")
    speed: float = option(0.1, help="length of a full move")
    descriptor_bounds = ((0.0, 1.0), (0.0, 1.0))
    descriptor_names = ("end point x", "end point y")

    def __post_init__(self) -> None:
        if self.steps < 1 or self.speed <= 0:
            raise ValueError("steps must be >= 1 and speed > 0")

    def initial(self) -> list[float]:
        return [0.0] * (2 * self.steps)

    def evaluate(self, genome) -> dict:
        return _result(np.asarray(end_point(genome, self.speed)))

    def evaluate_batch(self, genomes) -> list[dict]:
        return [_result(e) for e in end_points(genomes, self.speed)]

    def draw(self, ax) -> None:
        draw_maze(ax)


TASK = HardMaze()
