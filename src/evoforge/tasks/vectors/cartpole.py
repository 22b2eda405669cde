"""CartPole-v1 with a linear policy (gymnasium): 2 x 4 weights + 2 biases, action = argmax.
Score = mean return over ``episodes`` seeded episodes (500 is the maximum)."""

from ._gym import LinearPolicyTask

DESCRIPTION = "CartPole-v1, linear policy (10 weights); options episodes, max_steps (gymnasium)"
_TASK = LinearPolicyTask("CartPole-v1", 4, 2, continuous=False, max_steps=500)
SEED = [0.0] * _TASK.size


def configure(episodes: int = 1, max_steps: int | None = None) -> None:
    _TASK.configure(episodes, max_steps)


def evaluate(genome) -> dict:
    return _TASK.evaluate(genome)
