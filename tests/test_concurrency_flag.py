"""``--concurrency N`` does what it says: N model requests in flight with a recipe that can send them
(evolve's ``calls_per_batch`` follows it), or one line saying why not."""

import os
import subprocess
import sys
import time

from evoforge.llm import start_server_in_thread
from evoforge.llm.stub import LatencyStub
from evoforge.recipes.registry import get_recipe
from evoforge.run.concurrency import plan_concurrency
from evoforge.run.prepare import RunConfig

TASK = """
from evoforge.genomes.programs.task import ProgramTask

TASK = ProgramTask(seed="def solve(x):\\n    return x\\n", description="solve(3) should return 42",
                   score=lambda outputs: -abs(float(outputs[0]) - 42.0), cases=[[3]])
"""


def program(i: int) -> str:
    return f"```python\ndef solve(x):\n    return x * {1 + i % 5} + {i}\n```"


def test_evolve_keeps_concurrency_requests_in_flight_from_the_cli(write_task, tmp_path):
    stub = LatencyStub(program, latency=2.0)
    task, out = write_task(TASK), tmp_path / "c.db"
    env = {**os.environ, "EVOFORGE_CACHE_DIR": str(tmp_path / "cache")}
    with start_server_in_thread(stub) as server:
        started = time.monotonic()
        args = ["run", "evolve", "--task", task, "--concurrency", "8", "--max-calls", "16", "--out", out]
        args += ["--model", "openai:stub", "--base-url", server.url, "-q"]
        done = subprocess.run(
            [sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, env=env, timeout=120
        )
        took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert stub.usage.calls == 16
    assert stub.peak_in_flight >= 4  # one request at a time took 16 x 2 s
    assert took < 24


def config(recipe: str, **kw) -> RunConfig:
    return RunConfig(recipe=recipe, task="sphere", **kw)


def test_calls_per_batch_follows_concurrency_unless_set():
    evolve = get_recipe("evolve")
    c = config("evolve", concurrency=8)
    assert plan_concurrency(c, evolve) == [] and c.recipe_params["calls_per_batch"] == 8
    c = config("evolve", concurrency=20)
    assert plan_concurrency(c, evolve) == [] and c.recipe_params == {"calls_per_batch": 20, "batch_size": 20}
    c = config("evolve", concurrency=8, recipe_params={"calls_per_batch": "2"})
    notes = plan_concurrency(c, evolve)
    assert c.recipe_params == {"calls_per_batch": "2"}  # the user's choice stands, and the note says so
    assert notes == ["--concurrency 8: recipe 'evolve' sends at most 2 requests together (calls_per_batch=2)"]
    c = config("funsearch", concurrency=6)
    assert plan_concurrency(c, get_recipe("funsearch")) == [] and c.recipe_params == {"batch_size": 6}
    c = config("evolve", concurrency=8, asynchronous=True)
    assert plan_concurrency(c, evolve) == [] and c.recipe_params == {}  # 8 proposers instead


def test_recipes_that_cannot_use_concurrency_say_why_in_one_line():
    (note,) = plan_concurrency(config("promptbreeder", concurrency=4), get_recipe("promptbreeder"))
    assert "one model request at a time" in note and "--async" in note
    (note,) = plan_concurrency(config("ga", concurrency=4), get_recipe("ga"))
    assert note == "--concurrency 4 has no effect: recipe 'ga' calls no model"
    assert plan_concurrency(config("ga"), get_recipe("ga")) == []


def test_cli_prints_the_note(tmp_path):
    out = tmp_path / "g.db"
    args = ["run", "ga", "--task", "sphere", "--concurrency", "4", "--budget", "20", "--out", out, "-q"]
    done = subprocess.run([sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "note: --concurrency 4 has no effect: recipe 'ga' calls no model" in done.stderr


def test_no_cache_gives_the_recipe_a_model_without_the_shared_cache(tmp_path, monkeypatch):
    """--no-cache: no answer is read from or written to the user's response cache (benchmarks, fresh samples)."""
    from evoforge.cli.config import run_settings
    from evoforge.run.prepare import open_model

    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    flags = {"recipe": "evolve", "task": "binpack", "model": "openai:m", "base_url": "http://127.0.0.1:9/v1"}
    cached, _, _ = run_settings(None, {**flags, "cache": None}, ())
    fresh, _, _ = run_settings(None, {**flags, "cache": False}, ())
    assert cached.cache is True and fresh.cache is False
    assert open_model(fresh).cache is None
    assert open_model(cached).cache is not None and (tmp_path / "cache" / "llm-cache.sqlite").exists()
