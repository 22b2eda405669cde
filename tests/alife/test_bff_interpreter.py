"""The BFF interpreter: each instruction on hand-written tapes, loops, unmatched brackets, head wrap, the
step limit, and agreement with the plain reference (alife_helpers) on many random tapes, epochs included."""

import numpy as np
import pytest
from alife_helpers import REPLICATOR, reference

from evoforge.genomes.soups import bff


def run(text: bytes, steps: int = 8192, size: int = 16) -> tuple[bytes, int]:
    """Run ``text`` padded with zero bytes to ``size``; the tape afterwards and the operations."""
    tape, ops = bff.run(text + bytes(size - len(text)), steps)
    assert (tape.tobytes(), ops) == reference(text + bytes(size - len(text)), steps)
    return tape.tobytes(), ops


def test_each_instruction():
    # code and data share the tape: head0 starts on byte 0, the first instruction itself
    assert run(b"+++")[0][0] == ord("+") + 3  # + changes the byte under head0
    assert run(b"<-", size=8)[0][7] == 255  # < from 0 wraps to the last byte; - wraps below 0
    assert run(b">+")[0][1] == ord("+") + 1  # > moves head0
    assert run(b"}}.")[0][2] == ord("}")  # . copies tape[head0] to tape[head1]
    assert run(b">>,")[0][2] == ord(">")  # , copies tape[head1] to tape[head0]
    assert run(b"{.", size=8)[0][7] == ord("{")  # { from 0 wraps too
    assert run(b"}{.")[0][0] == ord("}")  # { moves head1 back: the copy lands on byte 0
    tape, ops = run(b"ab+c")
    assert tape[0] == ord("a") + 1 and ops == 1  # other bytes are no-ops: steps, not operations


def test_plus_wraps_above_255():
    assert run(bytes([255]) + b"+", size=4)[0] == b"\x00+\x00\x00"  # head0 on byte 0 (255): 255 + 1 = 0


def test_loops_skip_and_repeat():
    tape, ops = run(b"<+++[-]")  # a counter on the last byte: 3, then [-] down to 0
    assert tape[15] == 0 and ops == 1 + 3 + 1 + 6
    tape, ops = run(b"<[+]")  # the last byte is 0: the loop is skipped
    assert tape[15] == 0 and ops == 2
    tape, ops = run(b"<+++[-<+>]")  # moves the counter one byte down
    assert tape[14:16] == bytes([3, 0])
    tape, ops = run(b"<<++[>+++[-]<-]", size=32)  # nested: the inner loop clears what the outer one adds
    assert tape[30:32] == bytes([0, 0]) and ops > 20


def test_unmatched_brackets_end_the_run():
    tape, ops = run(b"<[+")  # head0 on a zero byte, no ']' to jump to: the run ends at the '['
    assert ops == 2 and tape[:3] == b"<[+"
    tape, ops = run(b"+]+")  # byte 0 is non-zero at ']', no '[' before it: ends there
    assert ops == 2 and tape[2] == ord("+")


def test_the_step_limit_counts_no_ops():
    _, ops = run(b"+[]", steps=100)  # an endless loop of two instructions
    assert ops == 100
    _, ops = run(b"ab+[]", steps=100)  # two no-op steps first
    assert ops == 98
    tape, ops = run(b"+" * 10, steps=4)
    assert tape[0] == ord("+") + 4 and ops == 4


@pytest.mark.parametrize("text", [b"+[><]", b"+[ab]", b"+[..]", b"+[}.{]", b"+[>+<-]", b"<+[[>]<]"])
def test_endless_loops_are_counted_exactly(text):
    """Loops that come back to where they were are skipped a turn at a time: every step count must still
    end on the very operation (and tape) the reference ends on, whole turns or not."""
    for steps in [*range(1, 40), 1000, 8191, 8192]:
        run(text, steps)
    assert bff.run(b"+[><]" + bytes(11), 10**9)[1] == 10**9  # a billion steps, skipped a turn at a time


def test_pointer_off_the_end_stops():
    _, ops = run(b"+", size=4)
    assert ops == 1


def test_a_hand_written_replicator_copies_itself_onto_a_zero_partner():
    tape, ops = bff.run(REPLICATOR + bytes(64))
    assert tape[:64].tobytes() == REPLICATOR and tape[64:].tobytes() == REPLICATOR
    assert (tape.tobytes(), ops) == reference(REPLICATOR + bytes(64))


@pytest.mark.parametrize("alphabet", [bytes(range(256)), b"<>{}+-.,[]\x00", b"[]+-.,\x00\x01"])
def test_agrees_with_the_reference_on_random_tapes(alphabet):
    rng = np.random.default_rng(len(alphabet))
    for _ in range(300):
        tape = bytes(rng.choice(list(alphabet), size=int(rng.integers(1, 40))).astype(np.uint8))
        steps = int(rng.integers(1, 3000))
        got, ops = bff.run(tape, steps)
        assert (got.tobytes(), ops) == reference(tape, steps), (tape, steps)


def test_an_epoch_is_each_pair_run_as_one_tape():
    rng = np.random.default_rng(3)
    soup = rng.choice(list(b"<>{}+-.,[]\x00\x01\x02"), size=(41, 8)).astype(np.uint8)  # odd: one sits out
    order = rng.permutation(len(soup))
    expected = soup.copy()
    ops = []
    for a, b in zip(order[0::2], order[1::2]):
        joined, n = reference(expected[a].tobytes() + expected[b].tobytes(), 500)
        expected[a], expected[b] = np.frombuffer(joined[:8], np.uint8), np.frombuffer(joined[8:], np.uint8)
        ops.append(n)
    got = bff.run_epoch(soup, order, 500)
    assert np.array_equal(soup, expected) and got.tolist() == ops
