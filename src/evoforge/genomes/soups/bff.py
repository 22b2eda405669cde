"""The BFF interpreter ("Computational Life", Agüera y Arcas et al., 2024), compiled with numba.

A BFF program is its own data: one byte tape holds both. Two data heads (``head0``, ``head1``) and the
instruction pointer start at 0; heads wrap modulo the tape length. Instructions: ``<`` ``>`` move head0,
``{`` ``}`` move head1, ``-`` ``+`` change the byte at head0, ``.`` copies tape[head0] to tape[head1],
``,`` copies tape[head1] to tape[head0], ``[`` jumps to its matching ``]`` when tape[head0] is 0 and
``]`` back to its matching ``[`` when it is not (the pointer then moves on past it; an unmatched
bracket ends the run); every other byte is a no-op. A run ends after ``steps`` steps (no-ops count) or
when the pointer leaves the tape.

:func:`interpret` runs one tape in place; :func:`epoch_kernel` runs one epoch of a soup in one call:
each pair of tapes the order names is concatenated, run and split back, in place. Both count the
operations executed (steps that were not no-ops). Without numba (``evoforge[alife]``) the same code
runs as plain Python, which is right but some hundred times slower (:data:`COMPILED` says which).
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - where the alife extra is not installed
    numba = None

from . import INSTRUCTIONS

LT, GT, LBRACE, RBRACE = ord("<"), ord(">"), ord("{"), ord("}")
MINUS, PLUS, DOT, COMMA, OPEN, CLOSE = ord("-"), ord("+"), ord("."), ord(","), ord("["), ord("]")
COMPILED = numba is not None
IS_OP = np.zeros(256, dtype=np.bool_)  # which bytes are instructions (a constant of the compiled code)
IS_OP[list(INSTRUCTIONS)] = True

jit = numba.njit(cache=True, nogil=True) if numba is not None else (lambda f: f)


@jit
def interpret(tape: np.ndarray, steps: int) -> int:
    """Run ``tape`` (uint8, modified in place) for at most ``steps`` steps; the operations executed."""
    return _run(tape, steps, _scratch(tape.shape[0]), 1)


@jit
def _scratch(n: int) -> np.ndarray:
    """What :func:`_run` remembers per byte: its partner bracket (and in which run, after how many
    bracket-making writes it was found), and the machine at the last backward jump from there (run,
    heads, step, operations, writes so far)."""
    return np.zeros((9, n), dtype=np.int64)


@jit
def _run(tape: np.ndarray, steps: int, memory: np.ndarray, run_id: int) -> int:
    """:func:`interpret` for the ``run_id``-th run on ``memory`` (from :func:`_scratch`; ids must grow).

    Two shortcuts keep it exact and fast. Each bracket's partner is cached until a write makes or
    unmakes a bracket. And a backward jump that finds the machine as it was at the previous jump from
    the same ``]`` (same heads, no byte changed since) has found a cycle that changes nothing: whole
    turns of it are skipped, counting their steps and operations, and the rest runs as usual.
    """
    n = tape.shape[0]
    partner, found_in, found_after = memory[0], memory[1], memory[2]  # a bracket's partner, and when found
    jumped_in, heads0, heads1 = memory[3], memory[4], memory[5]  # the machine at the last jump back from here
    at_step, at_ops, at_writes = memory[6], memory[7], memory[8]
    writes = 0  # bytes changed so far (a cycle must change none)
    shape_changes = 0  # writes that made or unmade a bracket (cached partners are stale then)
    head0 = 0
    head1 = 0
    pc = 0
    ops = 0
    step = 0
    while step < steps:
        step += 1
        c = tape[pc]
        if not IS_OP[c]:
            pc += 1  # a no-op: a step, not an operation
            if pc >= n:
                return ops
            continue
        if c == GT:
            head0 = head0 + 1 if head0 + 1 < n else 0
        elif c == LT:
            head0 = head0 - 1 if head0 > 0 else n - 1
        elif c == RBRACE:
            head1 = head1 + 1 if head1 + 1 < n else 0
        elif c == LBRACE:
            head1 = head1 - 1 if head1 > 0 else n - 1
        elif c in (PLUS, MINUS):
            old = tape[head0]
            new = (int(old) + (1 if c == PLUS else 255)) & 255
            tape[head0] = new
            writes += 1
            if _bracket(old) or _bracket(new):
                shape_changes += 1
        elif c in (DOT, COMMA):
            src, dst = (head0, head1) if c == DOT else (head1, head0)
            if tape[dst] != tape[src]:
                writes += 1
                if _bracket(tape[dst]) or _bracket(tape[src]):
                    shape_changes += 1
                tape[dst] = tape[src]
        elif c == OPEN:
            if tape[head0] == 0:
                if found_in[pc] != run_id or found_after[pc] != shape_changes:
                    partner[pc], found_in[pc], found_after[pc] = _match_forward(tape, pc), run_id, shape_changes
                pc = partner[pc]
                if pc < 0:
                    return ops + 1
        elif tape[head0] != 0:  # c == CLOSE, jumping back
            if found_in[pc] != run_id or found_after[pc] != shape_changes:
                partner[pc], found_in[pc], found_after[pc] = _match_back(tape, pc), run_id, shape_changes
            here = pc
            pc = partner[pc]
            if pc < 0:
                return ops + 1
            if (
                jumped_in[here] == run_id
                and at_writes[here] == writes
                and heads0[here] == head0
                and heads1[here] == head1
            ):
                period, gain = step - at_step[here], ops + 1 - at_ops[here]
                turns = (steps - step) // period
                step += turns * period
                ops += turns * gain
            jumped_in[here], heads0[here], heads1[here] = run_id, head0, head1
            at_step[here], at_ops[here], at_writes[here] = step, ops + 1, writes
        ops += 1
        pc += 1
        if pc >= n:
            return ops
    return ops


@jit
def _bracket(byte: int) -> bool:
    return byte in (OPEN, CLOSE)


@jit
def _match_forward(tape: np.ndarray, pc: int) -> int:
    """The position of the ``]`` matching the ``[`` at ``pc``; -1 when there is none."""
    depth = 1
    for j in range(pc + 1, tape.shape[0]):
        if tape[j] == OPEN:
            depth += 1
        elif tape[j] == CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return -1


@jit
def _match_back(tape: np.ndarray, pc: int) -> int:
    """The position of the ``[`` matching the ``]`` at ``pc``; -1 when there is none."""
    depth = 1
    for j in range(pc - 1, -1, -1):
        if tape[j] == CLOSE:
            depth += 1
        elif tape[j] == OPEN:
            depth -= 1
            if depth == 0:
                return j
    return -1


@jit
def epoch_kernel(soup: np.ndarray, order: np.ndarray, steps: int, ops: np.ndarray) -> None:
    """One epoch over ``soup`` (tapes x bytes, uint8, in place): tape ``order[2i]`` followed by tape
    ``order[2i + 1]`` run as one program; ``ops[i]`` gets its operations. ``ops`` has one entry per pair."""
    length = soup.shape[1]
    tape = np.empty(2 * length, dtype=np.uint8)
    memory = _scratch(2 * length)
    for i in range(ops.shape[0]):
        a = order[2 * i]
        b = order[2 * i + 1]
        tape[:length] = soup[a]
        tape[length:] = soup[b]
        ops[i] = _run(tape, steps, memory, i + 1)
        soup[a] = tape[:length]
        soup[b] = tape[length:]


def run(program: bytes | np.ndarray, steps: int = 8192) -> tuple[np.ndarray, int]:
    """Run one program (bytes or a uint8 array, copied): its tape afterwards and the operations executed."""
    tape = np.frombuffer(program, dtype=np.uint8).copy() if isinstance(program, bytes) else program.copy()
    ops = interpret(tape, int(steps))
    return tape, int(ops)


def run_epoch(soup: np.ndarray, order: np.ndarray, steps: int = 8192) -> np.ndarray:
    """One epoch in place: pairs ``order[0::2]`` with ``order[1::2]`` (a permutation of the tapes; with
    an odd count the last tape sits out); the operations of each pair."""
    ops = np.zeros(len(order) // 2, dtype=np.int64)
    epoch_kernel(soup, np.ascontiguousarray(order, dtype=np.int64), int(steps), ops)
    return ops
