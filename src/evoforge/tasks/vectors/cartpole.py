"""CartPole-v1 with a linear policy (gymnasium): 2 x 4 weights + 2 biases, action = argmax.
Score = mean return over ``episodes`` seeded episodes (500 is the maximum)."""

from dataclasses import dataclass

from ._gym import LinearPolicyTask


@dataclass(kw_only=True)
class CartPole(LinearPolicyTask):
    description: str = "CartPole-v1, linear policy (10 weights); options episodes, max_steps (gymnasium)"
    env_id = "CartPole-v1"
    obs_dim, n_actions, continuous, default_steps = 4, 2, False, 500


TASK = CartPole()
