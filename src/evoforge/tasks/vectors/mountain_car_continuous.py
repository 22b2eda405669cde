"""MountainCarContinuous-v0 with a linear policy (gymnasium): 1 x 2 weights + 1 bias, action =
tanh(W obs + b). Score = mean return over ``episodes`` seeded episodes (above 90 means solved)."""

from ._gym import LinearPolicyTask

DESCRIPTION = "MountainCarContinuous-v0, linear policy (3 weights); options episodes, max_steps"
_TASK = LinearPolicyTask("MountainCarContinuous-v0", 2, 1, continuous=True, max_steps=999)
SEED = [0.0] * _TASK.size


def configure(episodes: int = 1, max_steps: int | None = None) -> None:
    _TASK.configure(episodes, max_steps)


def evaluate(genome) -> dict:
    return _TASK.evaluate(genome)
