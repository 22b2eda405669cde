"""Progress as plain lines, for output that is not a terminal (nohup, CI, a file): one line after the
first batch, then after a batch once ``EVOFORGE_PROGRESS_EVERY`` seconds have passed since the last
line (0: after every batch), and one at the end. A batch that runs longer than that interval (slow
model calls) gets a "still in batch" line from a timer, so a long run is never silent."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from rich.console import Console

from evoforge.core.errors import ConfigError
from evoforge.core.text import printable

from .progress import RunProgress, Snapshot, Tracker, clock

DEFAULT_EVERY = 15.0  # seconds between lines


def progress_every() -> float:
    """The interval from ``EVOFORGE_PROGRESS_EVERY`` (seconds >= 0), else :data:`DEFAULT_EVERY`."""
    text = os.environ.get("EVOFORGE_PROGRESS_EVERY", "").strip()
    if not text:
        return DEFAULT_EVERY
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value >= 0 and value < float("inf")):
        raise ConfigError(f"EVOFORGE_PROGRESS_EVERY must be a number of seconds >= 0, got {text!r}")
    return value


def line(snap: Snapshot, running: float = 0.0) -> str:
    """One progress line: the unit's budget, evaluations, best, model calls, elapsed, ETA.
    ``running``: seconds the current batch has been running (a line from the timer)."""
    parts = [f"batch {snap.batch}"]
    if snap.lead is not None:
        parts.append(snap.lead.text())
    if snap.lead is None or snap.lead.unit != "evaluations":
        parts.append(f"evaluations {snap.evaluations}")
    parts.append(f"best {snap.best:.6g}" if snap.best is not None else "best -")
    if snap.calls is not None and (snap.lead is None or snap.lead.unit != "model calls"):
        parts.append(f"model calls {snap.calls}")
    eta = None if snap.eta is None else max(0.0, snap.eta - running)
    parts += [f"elapsed {clock(snap.elapsed + running)}", f"ETA {clock(eta)}"]
    text = "progress: " + ", ".join(parts)
    return text + (f" (batch {snap.batch + 1} running for {clock(running)})" if running else "")


class PlainProgress:
    """The progress callback of ``run``/``resume`` when stderr is not a terminal."""

    def __init__(self, console: Console, every: float = DEFAULT_EVERY) -> None:
        self.console, self.every = console, every
        self.tracker = Tracker()
        self.snap: Snapshot | None = None
        self.printed: Snapshot | None = None  # the snapshot the last line showed
        self.last = time.monotonic()  # when the last line (or the start) was
        self.at = self.last  # when ``snap`` was taken
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.timer = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> PlainProgress:
        if self.every > 0:
            self.timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        with self.lock:
            if self.snap is not None and self.snap is not self.printed:
                self._print(self.snap)

    def __call__(self, engine: Any, batch: list) -> None:
        snap = self.tracker.snapshot(engine)
        with self.lock:
            self.snap, self.at = snap, time.monotonic()
            if self.printed is None or self.at - self.last >= self.every:
                self._print(snap)

    def _beat(self) -> None:
        """A line when the interval passed with no batch ending (a long batch)."""
        while not self.stop.wait(min(1.0, self.every)):
            with self.lock:
                now = time.monotonic()
                if now - self.last < self.every or self.stop.is_set():
                    continue
                if self.snap is None:
                    self._write(f"progress: starting, elapsed {clock(now - self.at)} (waiting for the first batch)")
                else:
                    self._write(line(self.snap, running=now - self.at))

    def _print(self, snap: Snapshot) -> None:
        self.printed = snap
        self._write(line(snap))

    def _write(self, text: str) -> None:
        self.last = time.monotonic()
        self.console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


def make_progress(total: int | None, quiet: bool, console: Console) -> RunProgress | PlainProgress:
    """The bar on a terminal, plain lines elsewhere (stderr redirected); nothing with ``quiet``."""
    if quiet or console.is_terminal:
        return RunProgress(total, quiet, console)
    return PlainProgress(console, progress_every())
