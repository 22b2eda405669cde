"""What the alife tests share: BFF as the paper states it, in plain Python with no shortcuts (the
reference the compiled interpreter must match), and a hand-written self-replicator."""

from __future__ import annotations

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
