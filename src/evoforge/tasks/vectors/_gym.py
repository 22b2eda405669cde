"""Linear policies on gymnasium control tasks ("Solving Deep Reinforcement Learning Benchmarks with
Linear Policy Networks", Hazeleger/Krause et al.): the genome is a flat weight matrix plus bias,
action = argmax(W obs + b) for discrete actions, tanh(W obs + b) * high for continuous ones. gymnasium
is imported on first use; a missing install is a TaskError naming the fix. Episodes are seeded, so an
evaluation is deterministic."""

from __future__ import annotations

from typing import Any

import numpy as np

from evoforge.core.errors import TaskError


class LinearPolicyTask:
    def __init__(self, env_id: str, obs_dim: int, n_actions: int, continuous: bool, max_steps: int):
        self.env_id, self.obs_dim, self.n_actions = env_id, obs_dim, n_actions
        self.continuous, self.default_steps = continuous, max_steps
        self.episodes, self.max_steps = 1, max_steps
        self._env: Any = None

    @property
    def size(self) -> int:
        return self.n_actions * (self.obs_dim + 1)

    def configure(self, episodes: int = 1, max_steps: int | None = None) -> None:
        if int(episodes) < 1:
            raise ValueError("episodes must be >= 1")
        self.episodes = int(episodes)
        self.max_steps = int(max_steps) if max_steps else self.default_steps

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
            for _ in range(self.max_steps):
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
