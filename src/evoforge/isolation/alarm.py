"""The in-process timeout: an alarm that keeps firing until the evaluation gives control back.

Code that runs in the evoforge process can only be interrupted, never killed, so the alarm escalates:

1. At the deadline SIGALRM raises :class:`Timeout` (a ``BaseException``: ``except Exception`` does not
   catch it) wherever the evaluator is.
2. The timer then fires again every ``REPEAT`` seconds until the evaluation returns: an alarm that went
   off where Python swallows exceptions (an at-fork hook, ``__del__``, a weakref callback) is followed
   by another. From the second firing on, the evaluator's frames are also traced and the first line
   they run raises :class:`Timeout` again: an evaluator that catches it with a bare ``except:`` raises
   it once more in its except clause, from where it leaves that ``try``.
3. ``GRACE`` seconds after the deadline the evaluation has refused to stop (nested swallowing, a
   replaced SIGALRM handler, C code that ignores signals): the process cannot take control back, so it
   ends the run with one line on stderr (exit ``HUNG_EXIT``), and a kernel timer sends SIGKILL one
   second later in case no Python code runs at all. A run killed so resumes like any run that died: the
   candidate is a suspect, evaluated alone, and failed as poison if it keeps ending the run.

In-process evaluation is for trusted tasks; the pool executor kills a hung evaluation instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any, ClassVar

REPEAT = 0.2  # seconds between firings once the deadline passed
GRACE = 5.0  # seconds past the deadline before the run is ended
KERNEL_AFTER = 1.0  # seconds after that before the kernel timer kills the process ...
KERNEL_SLACK = 1.0  # ... at the latest this much later (it is re-armed only when it would fire too soon)
HUNG_EXIT = 1  # the process's exit status then (the CLI's "failure while running")


class Timeout(BaseException):
    """Raised in an evaluation past its deadline (not an ``Exception``: ``except Exception`` lets it
    through)."""


class Alarm:
    """One evaluation's deadline at a time: :meth:`arm` before it, :meth:`disarm` after it (also when it
    raised :class:`Timeout`). Create through :func:`alarm`; inactive outside the main thread."""

    def __init__(self, timeout: float | None):
        self.timeout = timeout
        self._active = False
        self._deadline = self._hard = 0.0
        self._firings = 0
        self._guard: FrameType | None = None
        self._traced: list[FrameType] = []
        self._previous_trace: Any = None
        self._tracing = False
        self._kernel = _KernelTimer.create() if timeout else None
        self._kernel_at = 0.0  # when the kernel timer fires (monotonic; 0: off)

    def arm(self, k: int) -> None:
        """Allow ``k`` evaluations' time from now; the caller's frame is where :class:`Timeout` is caught."""
        if not self.timeout or k <= 0:
            return
        budget = self.timeout * k
        self._guard = sys._getframe(1)
        self._firings = 0
        now = time.monotonic()
        self._deadline, self._hard = now + budget, now + budget + GRACE
        if self._kernel is not None and self._kernel_at < self._hard + KERNEL_AFTER:
            # one system call per KERNEL_SLACK seconds of quick evaluations, not two per evaluation
            self._kernel_at = self._hard + KERNEL_AFTER + KERNEL_SLACK
            self._kernel.set(self._kernel_at - now)
        self._active = True
        signal.setitimer(signal.ITIMER_REAL, budget, REPEAT)

    def disarm(self) -> None:
        """Stop the alarm and the tracing (call it again if :class:`Timeout` came from inside it). The
        kernel timer is left running after an evaluation that returned in time: it fires no sooner than
        ``GRACE + KERNEL_AFTER`` seconds past its deadline, and the next :meth:`arm` or :meth:`close`
        moves it."""
        if not self.timeout:
            return  # the inactive alarm (no timeout, or not the main thread) leaves the timers alone
        self._active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self._firings and self._kernel is not None:
            self._kernel_off()
        if self._tracing:
            self._tracing = False
            sys.settrace(self._previous_trace)
            self._previous_trace = None
        for frame in self._traced:
            frame.f_trace = None
        self._traced, self._guard = [], None

    def close(self) -> None:
        self.disarm()
        if self._kernel is not None:
            self._kernel_off()

    def _kernel_off(self) -> None:
        assert self._kernel is not None
        self._kernel.set(0.0)
        self._kernel_at = 0.0

    # -- in the signal handler ------------------------------------------------------------------
    def _fire(self, signum: int, frame: FrameType | None) -> None:
        if not self._active:
            return
        if time.monotonic() >= self._hard:
            message = (
                f"error: an evaluation ignored its {self.timeout:g}s timeout for {GRACE:g}s more and cannot be "
                "stopped in-process; ending the run (the in-process executor is for trusted tasks: "
                "--executor pool kills a hung evaluation)\n"
            )
            with contextlib.suppress(OSError):
                os.write(2, message.encode())
            os._exit(HUNG_EXIT)
        self._firings += 1
        if self._firings > 1:
            self._trace_evaluation(frame)
        raise Timeout()

    def _trace_evaluation(self, frame: FrameType | None) -> None:
        """Trace the frames between the interrupted one and the guard (the evaluation's own), and frames
        they call, so that the next line any of them runs raises :class:`Timeout`."""
        chain: list[FrameType] = []
        while frame is not None and frame is not self._guard:
            chain.append(frame)
            frame = frame.f_back
        if frame is None:
            return  # interrupted outside the evaluation (in the executor itself): no tracing
        for f in chain:
            f.f_trace = self._line
        self._traced += chain
        if not self._tracing:
            self._previous_trace, self._tracing = sys.gettrace(), True
        sys.settrace(self._call)

    def _call(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not self._active or frame.f_code in _EXEMPT:
            return None
        return self._line

    def _line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if self._active and event == "line" and frame.f_code not in _EXEMPT:
            raise Timeout()  # Python then turns tracing off: the next firing turns it on again
        return self._line


_EXEMPT = {Alarm.disarm.__code__, Alarm._fire.__code__, Alarm._trace_evaluation.__code__}


@contextlib.contextmanager
def alarm(timeout: float | None) -> Iterator[Alarm]:
    """An :class:`Alarm` with its SIGALRM handler installed for the block (main thread only; elsewhere,
    or without a timeout, one that does nothing)."""
    if not timeout or threading.current_thread() is not threading.main_thread():
        yield Alarm(None)
        return
    timer = Alarm(timeout)
    previous = signal.signal(signal.SIGALRM, timer._fire)
    try:
        yield timer
    finally:
        timer.close()
        signal.signal(signal.SIGALRM, previous)


class _sigevent(ctypes.Structure):
    _fields_ = [
        ("sigev_value", ctypes.c_void_p),
        ("sigev_signo", ctypes.c_int),
        ("sigev_notify", ctypes.c_int),
        ("_rest", ctypes.c_byte * 48),  # the union up to glibc's 64 bytes
    ]


class _timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _timespec), ("it_value", _timespec)]


_CLOCK_MONOTONIC, _SIGEV_SIGNAL = 1, 0


class _KernelTimer:
    """A POSIX timer that SIGKILLs this process when it expires: the backstop no code in the process can
    hold off. One per process, made on first use (timers are not inherited by forked children); None
    where the C library offers no ``timer_create``."""

    _made: ClassVar[dict[int, _KernelTimer | None]] = {}  # pid -> this process's timer

    def __init__(self, settime: Any, timer: ctypes.c_void_p):
        self._settime, self._timer = settime, timer
        self._spec, self._off = _itimerspec(), _itimerspec()
        self._spec_ref, self._off_ref = ctypes.byref(self._spec), ctypes.byref(self._off)

    @classmethod
    def create(cls) -> _KernelTimer | None:
        pid = os.getpid()
        if pid not in cls._made:
            cls._made = {pid: cls._make()}
        return cls._made[pid]

    @classmethod
    def _make(cls) -> _KernelTimer | None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            event = _sigevent(None, signal.SIGKILL, _SIGEV_SIGNAL)
            timer = ctypes.c_void_p()
            if libc.timer_create(_CLOCK_MONOTONIC, ctypes.byref(event), ctypes.byref(timer)) != 0:
                return None
            settime = libc.timer_settime
            settime.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        except (OSError, AttributeError):
            return None
        return cls(settime, timer)

    def set(self, seconds: float) -> None:
        """Expire in ``seconds`` from now (0: never)."""
        if seconds <= 0:
            self._settime(self._timer, 0, self._off_ref, None)
            return
        whole = int(seconds)
        self._spec.it_value.tv_sec, self._spec.it_value.tv_nsec = whole, int((seconds - whole) * 1e9)
        self._settime(self._timer, 0, self._spec_ref, None)
