"""MountainCarContinuous-v0 with a linear policy (gymnasium): 1 x 2 weights + 1 bias, action =
tanh(W obs + b). Score = mean return over ``episodes`` seeded episodes (above 90 means solved)."""

from dataclasses import dataclass

from ._gym import LinearPolicyTask


@dataclass(kw_only=True)
class MountainCarContinuous(LinearPolicyTask):
    description: str = "MountainCarContinuous-v0, linear policy (3 weights); options episodes, max_steps"
    env_id = "MountainCarContinuous-v0"
    obs_dim, n_actions, continuous, default_steps = 2, 1, True, 999


TASK = MountainCarContinuous()
