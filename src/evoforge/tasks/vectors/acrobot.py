"""Acrobot-v1 with a linear policy (gymnasium): 3 x 6 weights + 3 biases, action = argmax.
Score = mean return over ``episodes`` seeded episodes (-500 is the worst, about -60 is good)."""

from ._gym import LinearPolicyTask

DESCRIPTION = "Acrobot-v1, linear policy (21 weights); options episodes, max_steps (gymnasium)"
_TASK = LinearPolicyTask("Acrobot-v1", 6, 3, continuous=False, max_steps=500)
SEED = [0.0] * _TASK.size


def configure(episodes: int = 1, max_steps: int | None = None) -> None:
    _TASK.configure(episodes, max_steps)


def evaluate(genome) -> dict:
    return _TASK.evaluate(genome)
