"""Acrobot-v1 with a linear policy (gymnasium): 3 x 6 weights + 3 biases, action = argmax.
Score = mean return over ``episodes`` seeded episodes (-500 is the worst, about -60 is good)."""

from dataclasses import dataclass

from ._gym import LinearPolicyTask


@dataclass(kw_only=True)
class Acrobot(LinearPolicyTask):
    description: str = "Acrobot-v1, linear policy (21 weights); options episodes, max_steps (gymnasium)"
    env_id = "Acrobot-v1"
    obs_dim, n_actions, continuous, default_steps = 6, 3, False, 500


TASK = Acrobot()
