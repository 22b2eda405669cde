"""Modularity of a graph: Newman's Q ("Modularity and community structure in networks", Newman, 2006)
for a given partition, and the best partition a greedy search finds (Clauset-Newman-Moore agglomeration,
then single-node moves while Q rises). Numpy only, for small graphs (an evolved network's wiring: tens
of nodes); the search is O(n^3).

Q = sum over communities c of (e_cc - a_c^2), where e_cc is the share of edge ends that join two nodes
of c and a_c the share of edge ends at nodes of c. Two disconnected cliques have Q = 1/2; a partition
drawn at random has Q near 0 on any graph."""

from __future__ import annotations

from typing import Any

import numpy as np


def adjacency(values: Any) -> np.ndarray:
    """``values`` as a symmetric, non-negative (n, n) float matrix with a zero diagonal; ValueError if not."""
    adj = np.asarray(values, dtype=float)
    if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
        raise ValueError(f"modularity: expected a square adjacency matrix, got shape {adj.shape}")
    if not np.isfinite(adj).all() or (adj < 0).any():
        raise ValueError("modularity: edge weights must be finite and >= 0")
    if not np.allclose(adj, adj.T):
        raise ValueError("modularity: the adjacency matrix must be symmetric (an undirected graph)")
    adj = adj.copy()
    np.fill_diagonal(adj, 0.0)
    return adj


def modularity(values: Any, labels: Any) -> float:
    """Newman's Q of the partition ``labels`` (one community label per node); 0 for a graph with no edges."""
    adj = adjacency(values)
    labels = np.asarray(labels)
    if labels.shape != (len(adj),):
        raise ValueError(f"modularity: expected {len(adj)} labels, got shape {labels.shape}")
    total = adj.sum()
    if total == 0:
        return 0.0
    _, which = np.unique(labels, return_inverse=True)
    member = np.eye(which.max() + 1)[which]  # nodes x communities
    e = member.T @ adj @ member / total
    return float(np.trace(e) - (e.sum(axis=1) ** 2).sum())


def best_partition(values: Any) -> tuple[float, np.ndarray]:
    """The highest Q a greedy search finds and its partition (labels 0..c-1 in order of first node).
    Merges the pair of communities that raises Q most until none does, then moves single nodes to the
    neighbouring community that raises Q most until none does."""
    adj = adjacency(values)
    n, total = len(adj), adj.sum()
    if total == 0:
        return 0.0, np.arange(n)
    labels = _agglomerate(adj / total)
    labels = _refine(adj / total, labels)
    labels = np.unique(labels, return_inverse=True)[1]
    order = {old: new for new, old in enumerate(dict.fromkeys(labels.tolist()))}
    labels = np.array([order[x] for x in labels.tolist()])
    return modularity(adj, labels), labels


def _agglomerate(share: np.ndarray) -> np.ndarray:
    """Clauset-Newman-Moore: merge the pair of communities with the largest gain 2(e_ab - a_a a_b) > 0."""
    e = share.copy()  # community x community shares of edge ends
    labels = np.arange(len(e))
    alive = np.ones(len(e), dtype=bool)
    while True:
        a = e.sum(axis=1)
        gain = 2 * (e - np.outer(a, a))
        gain[~alive, :] = gain[:, ~alive] = -np.inf
        np.fill_diagonal(gain, -np.inf)
        gain[e <= 0] = -np.inf  # only communities joined by an edge
        i, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if not gain[i, j] > 1e-12:
            return labels
        e[i, :] += e[j, :]
        e[:, i] += e[:, j]
        e[j, :] = e[:, j] = 0.0
        alive[j] = False
        labels[labels == j] = i


def _refine(share: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Move single nodes to the community that raises Q most, until no move does (at most 50 sweeps)."""
    labels = labels.copy()
    degree = share.sum(axis=1)
    for _ in range(50):
        moved = False
        for node in range(len(share)):
            communities = np.unique(labels)
            links = np.array([share[node, labels == c].sum() for c in communities])
            weights = np.array([degree[labels == c].sum() for c in communities])
            own = communities == labels[node]
            weights[own] -= degree[node]  # the node's own community without it
            links_own = links[own][0]
            gain = 2 * (links - links_own) - 2 * degree[node] * (weights - weights[own][0])
            best = int(np.argmax(gain))
            if gain[best] > 1e-12 and not own[best]:
                labels[node] = communities[best]
                moved = True
        if not moved:
            return labels
    return labels
