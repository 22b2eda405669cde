"""Training a quine: the losses, their gradient and Adam steps, deterministic (full batches: every weight
query and every auxiliary point at each step; no draw).

loss = ``replicate`` x ||R(theta) - theta||^2 / ||theta||^2  +  ``aux`` x cross-entropy on the data.

The self-replication term's gradient is the whole one: theta is both what the network computes with and
what it must output. The paper's *regeneration* step, theta <- R(theta), may be interleaved with the steps
(the recipe's ``regenerate``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .net import Shape, backward, forward


def losses_and_gradient(
    shape: Shape,
    theta: np.ndarray,
    queries: np.ndarray,
    data: tuple[np.ndarray, np.ndarray],
    *,
    replicate: float,
    aux: float,
) -> tuple[float, float, np.ndarray]:
    """The relative self-replication loss, the auxiliary cross-entropy, and the gradient of their
    weighted sum; ``data``: (inputs as data queries, labels)."""
    grad = np.zeros_like(theta)
    y, cache = forward(shape, theta, queries)
    r = y[:, 0] - theta
    norm2 = float(theta @ theta)
    sr = float(r @ r) / norm2
    if replicate > 0:
        dy = np.zeros_like(y)
        dy[:, 0] = 2 * r / norm2
        grad += replicate * (backward(shape, theta, cache, dy) - 2 * r / norm2 - 2 * sr * theta / norm2)
    xs, labels = data
    out, cache2 = forward(shape, theta, xs)
    logits = out[:, 1:] - out[:, 1:].max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    ce = float(-np.log(np.maximum(prob[rows, labels], 1e-300)).mean())
    if aux > 0:
        dy2 = np.zeros_like(out)
        prob[rows, labels] -= 1
        dy2[:, 1:] = aux * prob / len(labels)
        grad += backward(shape, theta, cache2, dy2)
    return sr, ce, grad


def accuracy(shape: Shape, theta: np.ndarray, data: tuple[np.ndarray, np.ndarray]) -> float:
    """The share of data queries whose largest logit is their label."""
    out, _ = forward(shape, theta, data[0])
    return float((out[:, 1:].argmax(axis=1) == data[1]).mean())


@dataclass
class Adam:
    """Adam's moments for one weight vector (lr, betas 0.9 and 0.999, eps 1e-8)."""

    size: int
    lr: float
    m: np.ndarray = field(init=False)
    v: np.ndarray = field(init=False)
    t: int = 0

    def __post_init__(self) -> None:
        self.m, self.v = np.zeros(self.size), np.zeros(self.size)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        self.m = 0.9 * self.m + 0.1 * grad
        self.v = 0.999 * self.v + 0.001 * grad * grad
        m_hat, v_hat = self.m / (1 - 0.9**self.t), self.v / (1 - 0.999**self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
