"""What the alife tests share: BFF as the paper states it, in plain Python with no shortcuts (the
reference the compiled interpreter must match), a hand-written self-replicator, and a run file's records
read back, the CLI in a child process and a kill -9 part-way through a run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

FILLER = 0x01  # a byte that is neither an instruction nor zero

# head0 moves onto the partner's last byte and `,` copies byte 0 there ('<' is 60); `++++` makes it 64,
# a counter: `[}-]` moves head1 right 64 times. head0 wraps to byte 0, 64 bytes behind head1, and `[.>}]`
# copies byte i onto byte i + 64 until head0 meets a zero byte: never (no byte of it is 0), so it copies
# the copy back onto itself until the step limit. Whatever the partner held, both halves end as this tape.
REPLICATOR = (b"<,++++[}-]>[.>}]" + bytes([FILLER]) * 64)[:64]


def reference(tape: bytes | bytearray, steps: int = 8192) -> tuple[bytes, int]:
    """Run ``tape``; its bytes afterwards and the operations executed (steps that were not no-ops)."""
    t, n = bytearray(tape), len(tape)
    head0 = head1 = pc = ops = 0
    for _ in range(steps):
        c = chr(t[pc])
        if c in "<>{}+-.,[]":
            ops += 1
        if c == ">":
            head0 = (head0 + 1) % n
        elif c == "<":
            head0 = (head0 - 1) % n
        elif c == "}":
            head1 = (head1 + 1) % n
        elif c == "{":
            head1 = (head1 - 1) % n
        elif c == "+":
            t[head0] = (t[head0] + 1) % 256
        elif c == "-":
            t[head0] = (t[head0] - 1) % 256
        elif c == ".":
            t[head1] = t[head0]
        elif c == ",":
            t[head0] = t[head1]
        elif c == "[" and t[head0] == 0:
            pc = _partner(t, pc, +1)
        elif c == "]" and t[head0] != 0:
            pc = _partner(t, pc, -1)
        if pc < 0:
            break
        pc += 1
        if pc >= n:
            break
    return bytes(t), ops


def _partner(t: bytearray, pc: int, way: int) -> int:
    """The matching bracket of the one at ``pc``, scanning ``way``; -1 when there is none."""
    depth, j = 0, pc
    while 0 <= j < len(t):
        depth += {ord("["): 1, ord("]"): -1}.get(t[j], 0) * way
        if depth == 0:
            return j
        j += way
    return -1


def records(path: Path | str) -> list[tuple]:
    """Every candidate of a run file as (id, operator, score, genome, metrics)."""
    from evoforge import RunStore

    store = RunStore.open(path)
    try:
        return [(c.id, c.operator, c.score, c.genome, c.metrics) for c in store.candidates()]
    finally:
        store.close()


def cli(*args: object) -> subprocess.Popen:
    """``python -m evoforge ARGS`` in a child process (text output piped)."""
    return subprocess.Popen([sys.executable, "-m", "evoforge", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def kill_9_after(rows: int, *run_args: object) -> None:
    """Start ``evoforge run RUN_ARGS`` and kill -9 it once its run file (``--out``) holds ``rows`` records."""
    out = Path(str(run_args[list(map(str, run_args)).index("--out") + 1]))
    proc = cli("run", *run_args)
    deadline = time.time() + 60
    while proc.poll() is None and time.time() < deadline and len(_rows_so_far(out)) < rows:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _rows_so_far(path: Path) -> list[tuple]:
    try:
        return records(path)
    except Exception:  # not created yet
        return []
