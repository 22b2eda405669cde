"""Run an agent's code on items, in the sandbox, with the model behind a metered proxy.

The agent runs in a fresh ``python -I`` process (:mod:`.driver`), inside bubblewrap where it works
(:func:`evoforge.isolation.bwrap.probe`: no network, no host files, its own pid namespace, uid 65534), with the
core sandbox driver's resource limits and audit hook. It reaches the language model only through
``tools.llm`` / ``tools.chat``: each request comes to this process over a pipe, where the real
:class:`~evoforge.llm.base.Model` is called, so every call is metered, cached, counted in the run's
budget and recorded. Per item:

- at most ``call_limit`` model calls: the next one stops the agent and fails the item;
- at most ``item_seconds`` of the agent's own time (model time does not count): then it is killed;
- a model call that fails or returns empty text fails the item with that reason, whatever the agent
  answers afterwards: it is never scored as a wrong answer.

A killed agent is started again for the remaining items, so one hostile item does not cost the rest.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from evoforge.isolation import AGENT_DRIVER, PROGRAM_DRIVER, bwrap, limits
from evoforge.llm.errors import BudgetExceededError, ModelError

_DRIVER = AGENT_DRIVER
_TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools.py")
_GUARD = PROGRAM_DRIVER
_LIB = "/agent-lib"  # the driver's files, read-only, inside bwrap
_INPUT = "/agent-input"
_MAX_LINE = 1 << 20


@dataclass
class ItemRun:
    """One item: the agent's ``answer``, or ``error`` (why it has none that counts)."""

    answer: Any = None
    error: str | None = None
    calls: int = 0
    seconds: float = 0.0
    where: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class AgentRun:
    items: list[ItemRun]
    load_error: str | None = None  # the code did not load (syntax error, no forward, ...)
    isolation: str = ""
    stderr: str = ""
    calls: int = 0


def run_agent(
    code: str,
    items: Sequence[dict[str, Any]],
    *,
    model: Any,
    parts: dict[str, Any] | None = None,
    corpus: Sequence[str] = (),
    actions: dict[str, Callable[..., Any]] | None = None,
    call_limit: int = 8,
    item_seconds: float = 20.0,
    max_tokens: int = 256,
    memory_mb: int = 1024,
    seed: int = 0,
) -> AgentRun:
    """Run ``forward(task, tools)`` of ``code`` on each of ``items`` (JSON-able dicts shown to the
    agent). ``actions``: the task's environment, ``name -> fn(item_index, *args)``, run here (trusted
    task code; the arguments come from the agent). Raises only :class:`BudgetExceededError`."""
    runs = [ItemRun() for _ in items]
    out = AgentRun(runs)
    start = 0
    while start < len(items):
        limits_ = (call_limit, item_seconds, max_tokens, memory_mb)
        start = _Session(code, list(items), start, model, parts or {}, corpus, actions or {}, out, seed, limits_).run()
        if out.load_error is not None:
            for r in runs:
                r.error = r.error or f"agent did not load: {out.load_error}"
            break
    out.calls = sum(r.calls for r in runs)
    return out


class _Session:
    """One sandboxed driver process, from item ``start`` until it ends or is killed."""

    def __init__(self, code, items, start, model, parts, corpus, actions, out, seed, limits_) -> None:
        self.code, self.items, self.start, self.model = code, items, start, model
        self.parts, self.corpus, self.actions, self.out, self.seed = parts, corpus, actions, out, seed
        self.limits = limits_  # (call limit, item seconds, max tokens, memory MB)
        self.current: int | None = None
        self.deadline = self.item_started = 0.0

    def run(self) -> int:
        """Process messages; return the index of the first item not yet attempted."""
        call_limit, item_seconds, _, memory_mb = self.limits
        box = tempfile.mkdtemp(prefix="evoforge-agent-")
        try:
            with open(os.path.join(box, "program.py"), "w") as fh:
                fh.write(self.code if isinstance(self.code, str) else "")
            todo = self.items[self.start :]
            with open(os.path.join(box, "inputs.json"), "w") as fh:
                json.dump(
                    {"items": todo, "parts": self.parts, "corpus": list(self.corpus), "actions": sorted(self.actions)},
                    fh,
                )
            status = bwrap.probe()
            self.out.isolation = "bwrap" if status.available else "guard"
            cfg = {
                "network": False,
                "preload": [],
                "has_inputs": True,
                "has_harness": False,
                "memory_mb": memory_mb,
                "cpu": item_seconds * len(todo) + 5,
                "recursion": 3000,
                "isolation": "bwrap" if status.available else "nested" if bwrap.inside_sandbox() else "guard",
                "input_dir": _INPUT if status.available else box,
                "guard_file": f"{_LIB}/{os.path.basename(_GUARD)}" if status.available else _GUARD,
                "tools_file": f"{_LIB}/tools.py" if status.available else _TOOLS,
            }
            return self._drive(box, cfg, status, item_seconds, call_limit)
        finally:
            shutil.rmtree(box, ignore_errors=True)

    def _command(self, box, cfg, fds, status) -> tuple[list[str], dict, str]:
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"}
        if not status.available:
            env.update({"HOME": box, "TMPDIR": box})
            if bwrap.inside_sandbox():
                env[bwrap.INSIDE_ENV] = "bwrap"
            return [sys.executable, "-I", _DRIVER, *map(str, fds), json.dumps(cfg)], env, box
        argv = [sys.executable, "-I", f"{_LIB}/{os.path.basename(_DRIVER)}", *map(str, fds), json.dumps(cfg)]
        mounts = ["--ro-bind", box, _INPUT]
        for path in (_DRIVER, _TOOLS, _GUARD):
            mounts += ["--ro-bind", path, f"{_LIB}/{os.path.basename(path)}"]
        cmd = bwrap.command(argv, env={"HOME": "/box", "TMPDIR": "/box"}, tmpfs_mb=64, status=status, extra=mounts)
        return cmd, {}, box

    def _drive(self, box, cfg, status, item_seconds, call_limit) -> int:
        to_parent_r, to_parent_w = os.pipe()
        to_agent_r, to_agent_w = os.pipe()
        argv, env, cwd = self._command(box, cfg, (to_parent_w, to_agent_r), status)
        try:
            proc = subprocess.Popen(
                argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, pass_fds=(to_parent_w, to_agent_r), start_new_session=True,
            )  # fmt: skip
        except OSError as err:
            for fd in (to_parent_r, to_parent_w, to_agent_r, to_agent_w):
                os.close(fd)
            self.out.load_error = f"could not start the sandbox: {err}"
            return len(self.items)
        os.close(to_parent_w)
        os.close(to_agent_r)
        self.reply_fd = to_agent_w
        sel = selectors.DefaultSelector()
        sel.register(to_parent_r, selectors.EVENT_READ, "msg")
        assert proc.stderr is not None
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        buffer, stderr = bytearray(), bytearray()
        self.deadline = time.monotonic() + item_seconds + 5  # loading the code
        next_item, self.current = self.start, None
        try:
            while True:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    return self._stop(next_item, f"timed out after {item_seconds:g}s (agent's own time; killed)")
                events = sel.select(timeout=min(left, 0.5))
                if not events and proc.poll() is not None and not sel.select(timeout=0.05):
                    return self._stop(next_item, f"the agent's process ended (exit code {proc.returncode})")
                for key, _ in events:
                    chunk = os.read(key.fd, 65536)
                    if key.data == "err":
                        stderr = (stderr + chunk)[-4000:]
                        if not chunk:
                            sel.unregister(key.fd)
                        continue
                    if not chunk:
                        return self._stop(next_item, "the agent's process ended without a result")
                    buffer += chunk
                    if len(buffer) > _MAX_LINE and b"\n" not in buffer:
                        return self._stop(next_item, "message from the agent larger than 1 MB")
                    while b"\n" in buffer:
                        line, _, rest = bytes(buffer).partition(b"\n")
                        buffer = bytearray(rest)
                        try:
                            step = self._handle(line, next_item, item_seconds, call_limit)
                        except _Kill:
                            return self._stop(next_item, "stopped")
                        except _Violation as why:
                            return self._stop(next_item, f"protocol violation: {why} (agent stopped)")
                        if step is None:
                            continue
                        if step < 0:
                            return len(self.items)
                        next_item = step
                        if next_item >= len(self.items):
                            return next_item
        finally:
            limits.tear_down(proc, sel, (to_parent_r, to_agent_w))
            self.out.stderr = stderr.decode("utf-8", "replace")

    def _stop(self, next_item: int, reason: str) -> int:
        """The process is to be killed: fail the current item (or the loading) with ``reason``."""
        if self.current is None:
            if next_item == self.start:
                self.out.load_error = reason
                return len(self.items)
            return next_item
        run = self.out.items[self.current]
        run.error = run.error or reason
        return self.current + 1

    def _handle(self, line: bytes, next_item: int, item_seconds: float, call_limit: int) -> int | None:
        """One message. Returns the next item to expect, -1 when the agent is done, None to go on."""
        try:
            msg = json.loads(line)
            op = msg["op"]
        except (ValueError, KeyError, TypeError):
            raise _Violation("unreadable message from the agent") from None
        if op == "load-error":
            where = "; ".join(msg.get("where") or [])
            self.out.load_error = str(msg.get("error"))[:500] + (f" ({where})" if where else "")
            return -1
        if op == "ready":
            return None
        if op == "item":
            if msg.get("i") != next_item - self.start or self.current is not None:
                raise _Violation("items out of order")
            self.current, self.deadline = next_item, time.monotonic() + item_seconds
            self.item_started = time.monotonic()
            return None
        if op == "end":
            return -1
        if self.current is None:
            raise _Violation(f"{op!r} outside an item")
        run = self.out.items[self.current]
        if op in ("done", "fail"):
            run.seconds = time.monotonic() - self.item_started
            if op == "done" and run.error is None:
                run.answer = msg.get("answer")
            elif op == "fail":
                run.error = run.error or str(msg.get("error"))[:500]
                run.where = [str(w) for w in msg.get("where") or []][:3]
            self.current = None
            return next_item + 1
        if op == "llm":
            if run.calls >= call_limit:
                run.error = f"model-call limit of {call_limit} per item exceeded (agent stopped)"
                raise _Kill()
            run.calls += 1
            self._reply(self._call_model(msg, run))
            return None
        if op == "act":
            self._reply(self._act(msg))
            return None
        raise _Violation(f"unknown request {op!r}")

    def _call_model(self, msg: dict[str, Any], run: ItemRun) -> dict[str, Any]:
        started = time.monotonic()
        try:
            messages = msg.get("messages")
            temperature = min(2.0, max(0.0, float(msg.get("temperature") or 0.0)))
            max_tokens = max(1, min(self.limits[2], int(msg.get("max_tokens") or self.limits[2])))
            seed = hash((self.seed, self.current, run.calls)) % (2**31)  # replayable samples, cached
            out = self.model.chat(messages, temperature=temperature, max_tokens=max_tokens, seed=seed, tag="agent")[0]
            if not out.text.strip():
                reply = {"ok": False, "error": f"empty model reply (finish_reason={out.finish_reason})"}
            else:
                reply = {"ok": True, "text": out.text}
        except BudgetExceededError:
            raise
        except ModelError as err:
            reply = {"ok": False, "error": f"model call failed: {err}"}
        except (TypeError, ValueError) as err:
            reply = {"ok": False, "error": f"bad model request: {err}"}
        if not reply["ok"]:
            run.error = run.error or str(reply["error"])
        self.deadline += time.monotonic() - started  # model time is not the agent's time
        return reply

    def _act(self, msg: dict[str, Any]) -> dict[str, Any]:
        fn = self.actions.get(str(msg.get("name")))
        if fn is None:
            return {
                "ok": False,
                "error": f"no action {msg.get('name')!r} (actions: {', '.join(self.actions) or 'none'})",
            }
        try:
            value = fn(self.current, *list(msg.get("args") or []))
            json.dumps(value)
            return {"ok": True, "value": value}
        except Exception as err:  # the task's answer to a bad action is an error for the agent
            return {"ok": False, "error": f"{type(err).__name__}: {err}"[:500]}

    def _reply(self, reply: dict[str, Any]) -> None:
        data = memoryview((json.dumps(reply) + "\n").encode())
        try:
            while data:
                data = data[os.write(self.reply_fd, data) :]
        except OSError:
            pass  # the agent is gone; its pipe will say so


class _Kill(Exception):
    pass


class _Violation(Exception):
    pass
