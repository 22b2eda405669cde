"""Linear policies on gymnasium control tasks ("Solving Deep Reinforcement Learning Benchmarks with
Linear Policy Networks", Hazeleger/Krause et al.): the genome is a flat weight matrix plus bias,
action = argmax(W obs + b) for discrete actions, tanh(W obs + b) * high for continuous ones. gymnasium
is imported on first use; a missing install is a TaskError naming the fix. Episodes are seeded, so an
evaluation is deterministic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from evoforge.core.errors import TaskError
from evoforge.core.task_value import TaskValue, option


@dataclass(kw_only=True)
class LinearPolicyTask(TaskValue):
    """A linear policy on a gymnasium environment; a subclass names the environment and its sizes.
    Options: ``episodes`` (seeded episodes averaged) and ``max_steps`` (per episode; default: the
    environment's own limit)."""

    kind: ClassVar[str] = "vector"
    env_id: ClassVar[str] = ""
    obs_dim: ClassVar[int] = 0
    n_actions: ClassVar[int] = 0
    continuous: ClassVar[bool] = False
    default_steps: ClassVar[int] = 500
    episodes: int = option(1, help="seeded episodes per evaluation, averaged")
    max_steps: int | None = option(None, help="steps per episode (default: the environment's limit)")
    _env: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.episodes < 1:
            raise ValueError("episodes must be >= 1")

    @property
    def size(self) -> int:
        return self.n_actions * (self.obs_dim + 1)

    @property
    def steps(self) -> int:
        return self.max_steps or self.default_steps

    def initial(self) -> list[float]:
        return [0.0] * self.size

    def env(self) -> Any:
        if self._env is None:
            try:
                import gymnasium
            except ImportError:
                raise TaskError(
                    f"task {self.env_id} needs gymnasium: pip install 'evoforge[numeric]' (or pip install gymnasium)"
                ) from None
            self._env = gymnasium.make(self.env_id).unwrapped  # we count steps ourselves
        return self._env

    def evaluate(self, genome) -> dict:
        theta = np.asarray(genome, dtype=float)
        if theta.shape != (self.size,):
            raise TaskError(f"{self.env_id} linear policy needs {self.size} numbers, got shape {theta.shape}")
        w = theta[: self.n_actions * self.obs_dim].reshape(self.n_actions, self.obs_dim)
        b = theta[self.n_actions * self.obs_dim :]
        env, returns, steps = self.env(), [], 0
        high = float(env.action_space.high[0]) if self.continuous else 1.0
        for episode in range(self.episodes):
            obs, _ = env.reset(seed=episode)
            total = 0.0
            for _ in range(self.steps):
                z = w @ obs + b
                action = np.tanh(z) * high if self.continuous else int(np.argmax(z))
                obs, reward, terminated, truncated, _ = env.step(action)
                total += float(reward)
                steps += 1
                if terminated or truncated:
                    break
            returns.append(total)
        mean = float(np.mean(returns))
        return {"score": mean, "metrics": {"return": mean, "steps": steps}}
