"""The Ray executor on a cluster of several nodes: a head and two workers started with ``ray start`` on
loopback, joined with token authentication exactly as docs/ray.md tells users to do on real machines."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evoforge.store.run_file import RunStore

pytest.importorskip("ray")

pytestmark = pytest.mark.slow

NODE_TASK = """
import os, time

SEED = [0.0, 0.0]

def evaluate(genome):
    time.sleep(0.3)  # long enough that both single-CPU workers are kept busy at once
    return {"score": -sum(x * x for x in genome), "metrics": {"node": int(os.environ["EVOFORGE_TEST_NODE"])}}
"""


def _free_port() -> int:
    """A free TCP port on loopback (from the ephemeral range, clear of Ray's worker ports 10002-19999)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_under(temp_dir: Path) -> list[str]:
    """Command lines of live processes that name ``temp_dir`` (the cluster's session directory)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(temp_dir) in cmdline:
            found.append(cmdline[:200])
    return found


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``ray start ... --block`` in its own process group, so that it and everything it spawns can be ended."""
    with log.open("w") as out:
        return subprocess.Popen(
            ["ray", "start", "--block", "--node-ip-address=127.0.0.1", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for_nodes(address: str, env: dict[str, str], count: int, procs: list[subprocess.Popen]) -> None:
    """Wait (generously: a loaded CI machine) until ``count`` nodes are alive in the cluster."""
    probe = (
        "import ray, sys\nray.init(address=sys.argv[1], log_to_driver=False, configure_logging=False)\n"
        "print(sum(n['Alive'] for n in ray.nodes()))\n"
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        dead = [p.args for p in procs if p.poll() is not None]
        assert not dead, f"a Ray node exited early: {dead}"
        out = subprocess.run([sys.executable, "-c", probe, address], env=env, capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip() == str(count):
            return
        time.sleep(2)
    pytest.fail(f"the cluster at {address} did not reach {count} nodes")


def _stop(procs: list[subprocess.Popen]) -> None:
    """End each node's process group (the ``ray start`` process and the raylet, GCS, workers it started)."""
    for proc in reversed(procs):  # workers before the head
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in reversed(procs):
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        try:  # what the node left in its group (raylet children shut down on SIGTERM; this is the backstop)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A head with no CPUs (it only coordinates) and two workers with one CPU each, all on 127.0.0.1,
    with token authentication on; yields the address and the environment a client needs."""
    logs = tmp_path_factory.mktemp("ray-logs")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    env = dict(
        os.environ,
        RAY_AUTH_MODE="token",
        RAY_AUTH_TOKEN=secrets.token_hex(32),
        RAY_USAGE_STATS_ENABLED="0",
        RAY_raylet_start_wait_time_s="180",  # a loaded 2-core machine registers nodes slowly
    )
    temp_dir = Path(tempfile.mkdtemp(prefix="evoray", dir="/tmp"))  # short: Ray's socket paths must stay short
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            _start(
                ["--head", f"--port={port}", "--num-cpus=0", "--include-dashboard=false", f"--temp-dir={temp_dir}"],
                dict(env, EVOFORGE_TEST_NODE="0"),
                logs / "head.log",
            )
        )
        _wait_for_nodes(address, env, 1, procs)
        for node in (1, 2):
            procs.append(
                _start(
                    [f"--address={address}", "--num-cpus=1", f'--resources={{"node{node}": 1}}'],
                    dict(env, EVOFORGE_TEST_NODE=str(node)),
                    logs / f"worker{node}.log",
                )
            )
            _wait_for_nodes(address, env, 1 + node, procs)  # one at a time: two at once overload a small machine
        yield address, env
        _stop(procs)
        left = _processes_under(temp_dir)
        assert not left, f"Ray processes outlived the cluster: {left}"
    finally:
        _stop(procs)
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_evaluations_run_on_every_worker_node_of_a_cluster(ray_cluster, write_task, tmp_path):
    address, env = ray_cluster
    task = write_task(NODE_TASK)
    env = dict(env, PYTHONPATH=os.pathsep.join(sys.path))
    cmd = [sys.executable, "-m", "evoforge", "run", "random-search", "--task", task, "--executor", "ray"]
    cmd += ["--address", address, "--budget", "12", "--workers", "3", "--out", str(tmp_path / "r.db"), "-q"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    store = RunStore.open(tmp_path / "r.db")
    cands = list(store.candidates())
    assert len(cands) == 12 and all(c.ok for c in cands), [c.reason for c in cands if not c.ok]
    nodes = {c.metrics["node"] for c in cands}
    assert nodes == {1, 2}  # both workers evaluated; the head has no CPUs and evaluated nothing


def test_a_node_without_the_token_cannot_join(ray_cluster):
    address, env = ray_cluster
    stranger = {k: v for k, v in env.items() if not k.startswith("RAY_AUTH")}
    out = subprocess.run(
        ["ray", "start", f"--address={address}", "--node-ip-address=127.0.0.1", "--num-cpus=1"],
        env=stranger,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and "Authentication" in out.stdout + out.stderr
