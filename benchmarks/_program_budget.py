"""The call budget of the program evolution benchmark: the served model capped in calls and tokens, and
an anchor's subprocess stopped once that budget is spent."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path


class CappedModel:
    """The served model, with every completion capped at ``max_tokens`` and at most ``calls`` calls."""

    def __init__(self, model, max_tokens: int, calls: int):
        self.model, self.max_tokens, self.budget = model, max_tokens, calls
        self.spec, self.name = model.spec, model.name
        self.calls, self.seconds, self.completion_tokens, self.prompt_tokens = 0, 0.0, 0, 0
        self.done, self.last_done = 0, time.time()  # calls answered, and when the last one was
        self.lock = threading.Lock()

    def _call(self, fn, args, kw):
        from evoforge.llm import BudgetExceededError

        with self.lock:
            if self.calls >= self.budget:
                raise BudgetExceededError(f"benchmark budget of {self.budget} calls spent")
            self.calls += 1
        kw["max_tokens"] = min(int(kw.get("max_tokens") or self.max_tokens), self.max_tokens)
        kw["n"] = 1  # one completion per call for every system
        start = time.time()
        out = fn(*args, **kw)
        with self.lock:
            self.done += 1
            self.last_done = time.time()
            self.seconds += time.time() - start
            self.completion_tokens += sum(c.completion_tokens for c in out)
            self.prompt_tokens += out[0].prompt_tokens if out else 0
        return out

    def chat(self, *args, **kw):
        return self._call(self.model.chat, args, kw)

    def complete(self, *args, **kw):
        return self._call(self.model.complete, args, kw)


def drive_anchor(cmd: list[str], work: Path, capped: CappedModel, calls: int, timeout: float, env: dict) -> dict:
    """Run an anchor as a subprocess (own process group); stop it when its calls are answered and the
    last answer had 90 s to be evaluated, or at ``timeout`` seconds."""
    full_env = {**os.environ, **env}
    with open(work / "stdout.log", "w") as out:
        proc = subprocess.Popen(
            cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT, env=full_env, start_new_session=True
        )
        start, why = time.time(), "finished"
        while proc.poll() is None:
            time.sleep(2)
            if capped.done >= calls and time.time() - capped.last_done > 90:  # the last answer was evaluated
                why = "stopped: call budget spent"
                break
            if time.time() - start > timeout:
                why = "stopped: wall-clock limit"
                break
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return {"stop_reason": why, "returncode": proc.returncode}
