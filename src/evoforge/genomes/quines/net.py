"""The quine network: one tanh hidden layer, no biases, weights theta = [W1 (hidden x inputs), W2
((1 + classes) x hidden)] flattened in that order.

- **Weight queries**: weight i is asked for by its coordinate embedding, the one-hot of i through a fixed
  random projection, row i of ``projection`` (weights x embed, Normal(0, 1/embed) from its own seed; not
  a weight of the network), padded with zeros where the auxiliary inputs go. The network's answer is
  tanh(output 0): its prediction of weight i.
- **Auxiliary queries**: a data point x goes in as zeros where the embedding goes, then x and a constant 1
  (the layer has no biases); outputs 1.. are the class logits.

Self-replication error: ||R(theta) - theta|| / ||theta||, where R(theta) is the vector of the network's
predictions of all its weights (0 for a perfect quine, about 1 or more for a random net; relative, so
that shrinking every weight toward the trivial all-zero quine does not pay). **Regeneration** replaces
theta by R(theta), again and again; a fixed point of it is a quine, and it is stable when the Jacobian
of R there has spectral radius below 1."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shape:
    """A quine network's sizes: ``embed`` (coordinate embedding), ``hidden``, ``aux`` (auxiliary inputs,
    without the constant) and ``classes``."""

    embed: int
    hidden: int
    aux: int
    classes: int

    @property
    def inputs(self) -> int:
        return self.embed + self.aux + 1

    @property
    def weights(self) -> int:
        return self.hidden * self.inputs + (1 + self.classes) * self.hidden

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``theta`` as (W1, W2) views."""
        cut = self.hidden * self.inputs
        return theta[:cut].reshape(self.hidden, self.inputs), theta[cut:].reshape(1 + self.classes, self.hidden)


def projection(shape: Shape, seed: int) -> np.ndarray:
    """The fixed random projection: the coordinate embedding of every weight, (weights, embed)."""
    return np.random.default_rng(seed).standard_normal((shape.weights, shape.embed)) / np.sqrt(shape.embed)


def initial(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    """Random weights: each layer Normal(0, 1 / fan-in)."""
    w1 = rng.standard_normal(shape.hidden * shape.inputs) / np.sqrt(shape.inputs)
    w2 = rng.standard_normal((1 + shape.classes) * shape.hidden) / np.sqrt(shape.hidden)
    return np.concatenate([w1, w2])


def weight_queries(shape: Shape, proj: np.ndarray) -> np.ndarray:
    """The inputs that ask for every weight: the embeddings, zeros for the auxiliary part, (weights, inputs)."""
    return np.hstack([proj, np.zeros((len(proj), shape.aux + 1))])


def data_queries(shape: Shape, data: np.ndarray) -> np.ndarray:
    """The inputs of auxiliary data points: zeros for the embedding, the point, a constant 1."""
    return np.hstack([np.zeros((len(data), shape.embed)), data, np.ones((len(data), 1))])


def forward(shape: Shape, theta: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Outputs for inputs ``x`` (n, inputs): column 0 is tanh of the weight prediction's pre-activation,
    the rest class logits; and what :func:`backward` needs."""
    w1, w2 = shape.split(theta)
    h = np.tanh(x @ w1.T)
    y = h @ w2.T
    y[:, 0] = np.tanh(y[:, 0])
    return y, (x, h, y[:, 0].copy())


def backward(shape: Shape, theta: np.ndarray, cache: tuple[np.ndarray, ...], dy: np.ndarray) -> np.ndarray:
    """The gradient of a loss with respect to theta, given its gradient ``dy`` with respect to the outputs."""
    x, h, y0 = cache
    _, w2 = shape.split(theta)
    dy = dy.copy()
    dy[:, 0] *= 1 - y0**2
    dz = (dy @ w2) * (1 - h**2)
    return np.concatenate([(dz.T @ x).ravel(), (dy.T @ h).ravel()])


def replicate(shape: Shape, theta: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """R(theta): the network's prediction of each of its weights."""
    return forward(shape, theta, queries)[0][:, 0]


def replication_error(shape: Shape, theta: np.ndarray, queries: np.ndarray) -> float:
    """||R(theta) - theta|| / ||theta|| (inf for all-zero weights)."""
    norm = float(np.linalg.norm(theta))
    return float(np.linalg.norm(replicate(shape, theta, queries) - theta)) / norm if norm > 0 else float("inf")


def regenerate(shape: Shape, theta: np.ndarray, queries: np.ndarray, times: int) -> list[np.ndarray]:
    """The regeneration loop: theta, R(theta), R(R(theta)), ... (``times`` + 1 weight vectors)."""
    out = [theta]
    for _ in range(times):
        out.append(replicate(shape, out[-1], queries))
    return out


def jacobian(shape: Shape, theta: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """dR/dtheta, (weights, weights): with u_i = W2[0] . h_i and h_i = tanh(W1 q_i), R_i = tanh(u_i) has
    dR_i/dW2[0, k] = (1 - R_i^2) h_ik and dR_i/dW1[k, m] = (1 - R_i^2) W2[0, k] (1 - h_ik^2) q_im."""
    w1, w2 = shape.split(theta)
    h = np.tanh(queries @ w1.T)  # (weights, hidden)
    slope = 1 - np.tanh(h @ w2[0]) ** 2  # (weights,)
    d_w1 = (slope[:, None] * w2[0][None, :] * (1 - h**2))[:, :, None] * queries[:, None, :]
    d_w2 = np.zeros((len(queries), 1 + shape.classes, shape.hidden))
    d_w2[:, 0, :] = slope[:, None] * h
    return np.hstack([d_w1.reshape(len(queries), -1), d_w2.reshape(len(queries), -1)])


def spectral_radius(shape: Shape, theta: np.ndarray, queries: np.ndarray) -> float:
    """The largest |eigenvalue| of R's Jacobian at theta: below 1, regeneration near a quine returns to it;
    above, small errors grow. Columns that are zero whatever theta (the weights no weight query reaches: the
    auxiliary inputs' and the class outputs') only add zero eigenvalues and are left out; entries below
    1e-200 (saturated tanh units) are set to 0, since subnormal numbers make the eigensolver crawl."""
    jac = jacobian(shape, theta, queries)
    w1_active = np.zeros((shape.hidden, shape.inputs), dtype=bool)
    w1_active[:, : shape.embed] = True
    w2_active = np.zeros((1 + shape.classes, shape.hidden), dtype=bool)
    w2_active[0] = True
    keep = np.concatenate([w1_active.ravel(), w2_active.ravel()])
    sub = jac[np.ix_(keep, keep)]
    sub[np.abs(sub) < 1e-200] = 0.0
    return float(np.abs(np.linalg.eigvals(sub)).max())
