"""Entangling quantum circuits ("How quantum and evolutionary algorithms can help each other", Moore et
al.): circuits on up to 5 qubits, scored by the Meyer-Wallach measure Q = 2 (1 - mean_k tr(rho_k^2))
of the state they make from |0...0> (0 for product states, 1 for e.g. GHZ). A small numpy state-vector
simulator runs them.

Encoding: the genome is a real vector, 3 genes per slot and ``qubits`` slots per layer. A slot on
qubit q reads (g, theta, c): gate = floor(g mod 4) picks RX(theta), RY(theta), RZ(theta) or a CNOT
from q to qubit (q + 1 + floor(c mod (n - 1))) mod n. Any numeric recipe therefore evolves circuits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from evoforge.core.task_value import TaskValue, option


def rotation(kind: int, theta: float) -> np.ndarray:
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    if kind == 0:
        return np.array([[c, -1j * s], [-1j * s, c]])
    if kind == 1:
        return np.array([[c, -s], [s, c]], dtype=complex)
    return np.array([[np.exp(-1j * theta / 2), 0], [0, np.exp(1j * theta / 2)]])


def apply_1q(state: np.ndarray, gate: np.ndarray, q: int) -> np.ndarray:
    """``state`` has shape (2,)*n; qubit q is axis q."""
    return np.moveaxis(np.tensordot(gate, state, axes=([1], [q])), 0, q)


def apply_cnot(state: np.ndarray, control: int, target: int) -> np.ndarray:
    out = state.copy()
    idx = [slice(None)] * state.ndim
    idx[control] = 1
    sub = out[tuple(idx)]  # view with the control axis removed
    t = target if target < control else target - 1
    out[tuple(idx)] = np.flip(sub, axis=t)
    return out


def meyer_wallach(state: np.ndarray) -> float:
    n = state.ndim
    purity = 0.0
    for k in range(n):
        m = np.moveaxis(state, k, 0).reshape(2, -1)
        rho = m @ m.conj().T
        purity += float(np.real(np.trace(rho @ rho)))
    return float(2.0 * (1.0 - purity / n))


def run_circuit(genome, qubits: int) -> tuple[np.ndarray, list[str]]:
    n = qubits
    genes = np.asarray(genome, dtype=float).reshape(-1, 3)
    state = np.zeros((2,) * n, dtype=complex)
    state[(0,) * n] = 1.0
    ops = []
    for slot, (g, theta, c) in enumerate(genes):
        q, kind = slot % n, int(np.floor(g)) % 4
        if kind < 3:
            state = apply_1q(state, rotation(kind, theta), q)
            ops.append(f"{'XYZ'[kind]}{q}")
        else:
            target = (q + 1 + int(np.floor(c)) % (n - 1)) % n
            state = apply_cnot(state, q, target)
            ops.append(f"CX{q}{target}")
    return state, ops


@dataclass(kw_only=True)
class QuantumEntanglement(TaskValue):
    kind: ClassVar[str] = "vector"
    description: str = "circuits of <=5 qubits scored by Meyer-Wallach entanglement (options qubits, layers)"
    qubits: int = option(4, help="qubits (2 to 5)")
    layers: int = option(3, help="slots per qubit")

    def __post_init__(self) -> None:
        if not 2 <= self.qubits <= 5 or self.layers < 1:
            raise ValueError("qubits must be in 2..5 and layers >= 1")

    def initial(self) -> list[float]:
        return [0.0] * (3 * self.qubits * self.layers)

    def evaluate(self, genome) -> dict:
        genes = np.asarray(genome, dtype=float)
        if genes.size != 3 * self.qubits * self.layers:
            raise ValueError(f"need {3 * self.qubits * self.layers} genes, got {genes.size}")
        state, ops = run_circuit(genes, self.qubits)
        q = meyer_wallach(state)
        return {"score": q, "metrics": {"meyer_wallach": q, "cnots": sum(o.startswith("CX") for o in ops)}}


TASK = QuantumEntanglement()
