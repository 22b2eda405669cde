"""Shared by the dashboard tests: real short runs written to run files, and in-process WSGI calls."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest

import evoforge
from evoforge.llm import Model
from evoforge.llm.types import Completion, Request

GOOD = (
    "```python\ndef priority(item, bins):\n    gap = bins - item\n"
    "    return -gap + 3.0 * (gap == 0) - 0.5 * (gap > 0) * (gap < {k})\n```"
)
BROKEN = "```python\ndef priority(item, bins):\n    return undefined_name * bins\n```"
HOSTILE = (
    '```python\ndef priority(item, bins):\n    # </script><img src=x onerror="window.pwned=1">\n'
    "    return -(bins - item)\n```"
)


class ScriptedModel(Model):
    """No model: answers in turn from a list of texts, through the real usage meter (calls, tokens, cost)."""

    backend = "scripted"

    def __init__(self, answers: list[str]) -> None:
        super().__init__("scripted", price_in=1.0, price_out=2.0)
        self.answers, self.calls = answers, 0

    def _generate(self, req: Request) -> list[Completion]:
        out = []
        for _ in range(req.n):
            out.append(Completion(self.answers[self.calls % len(self.answers)], "stop", 40, 30))
            self.calls += 1
        return out


def vector_run(path: Path, budget: int = 300, on_batch: Any = None, task: str = "planar_arm") -> Path:
    """A MAP-Elites run (default: the planar arm), committed every batch: a grid archive with a heat map."""
    evoforge.evolve(
        task, "map-elites", budget=budget, seed=3, out=path, executor="inprocess", checkpoint_every=0,
        on_batch=on_batch, recipe_params={"batch_size": 50},
    )  # fmt: skip
    return path


def program_run(path: Path, budget: int = 16) -> Path:
    """An `evolve` run on bin packing with a scripted model: improvements, a broken program (NameError),
    repeated answers (rejected as duplicates) and a program whose text carries HTML."""
    answers = [GOOD.format(k=2), BROKEN, GOOD.format(k=2), HOSTILE, GOOD.format(k=2), GOOD.format(k=5)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("evoforge.llm.get_model", lambda *a, **k: ScriptedModel(answers))
        evoforge.evolve(
            "binpack", "evolve", budget=budget, seed=1, out=path, executor="inprocess", timeout=60,
            task_options={"instances": 2, "items": 200}, recipe_params={"near_duplicate": 0, "batch_size": 2},
        )  # fmt: skip
    return path


def call(app: Any, path: str, query: str = "", method: str = "GET", host: str = "127.0.0.1:8765") -> tuple[str, Any]:
    """One request to the WSGI app, in-process: (status, decoded JSON body or raw bytes)."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": host,
        "wsgi.input": io.BytesIO(), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8765",
    }  # fmt: skip
    body = b"".join(app(environ, start_response))
    if seen["headers"]["Content-Type"] == "application/json":
        return seen["status"], json.loads(body)
    return seen["status"], body


class Gate:
    """An on_batch callback that holds the run after ``after`` batches until :meth:`release`."""

    def __init__(self, after: int) -> None:
        self.after, self.batches = after, 0
        self.reached, self.go = threading.Event(), threading.Event()

    def __call__(self, engine: Any, batch: list) -> None:
        self.batches += 1
        if self.batches == self.after:
            self.reached.set()
            self.go.wait(120)

    def release(self) -> None:
        self.go.set()


XSS = '</script><img src=x onerror="window.pwned=1"><b>bold</b>'


def crafted_run(path: Path) -> Path:
    """A run file written directly through the store, as a file from elsewhere might be: markup in every
    string, a rejected proposal, an event, a named 2-D archive and per-round monitors."""
    from evoforge.core.candidate import Candidate
    from evoforge.store.run_file import BatchRecord, RunStore

    store = RunStore.create(path, {"recipe": f"recipe{XSS}", "task": "task", "seed": 0})
    cands = [
        Candidate(genome=f"def f():\n    return 1  # {XSS}", id=0, operator=f"op{XSS}", status="ok", score=1.0,
                  info={"round": 0, "monitors": {"pass1": 0.25, "diversity": 0.5}}),
        Candidate(genome=f"def f():\n    return 2  # {XSS}", id=1, parents=[0], operator="mutate", status="ok",
                  score=2.0, info={"round": 1, "monitors": {"pass1": 0.5, "diversity": 0.4}}),
        Candidate(genome="def f(:", id=2, parents=[1], operator="mutate", status="failed",
                  reason=f"SyntaxError {XSS}\nline 2"),
        Candidate(genome="def f():\n    return 2", id=3, parents=[1], operator="mutate", status="rejected",
                  reason="exact duplicate of an earlier genome"),
    ]  # fmt: skip
    summary = {"generation": 0, "evaluations": 3, "best_score": 2.0, "median_score": 1.5, "elapsed": 0.1}
    usage = {"total": {"calls": 3, "cost": 0.5}, "by_tag": {f"tag{XSS}": {"calls": 3, "cost": 0.5}}}
    view = {"grid": {"low": [0, -1], "high": [1, 1], "elites": 2, "coverage": 0.5, "axes": ["reach", "angle"],
                     "heatmap": [[1.0, None], [None, 2.0]]}}  # fmt: skip
    record = BatchRecord(0, cands, summary, {"state": 1}, usage, [("discarded", {"reason": f"near duplicate {XSS}"})])
    store.commit([record], {}, view)
    store.describe(f"report text {XSS}")
    store.mark_finished(f"done {XSS}")
    store.close()
    return path
