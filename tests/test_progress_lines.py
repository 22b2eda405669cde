"""Progress: one unit throughout (the budget that will end the run), an ETA, and plain lines while a
run whose output goes to a file is running (not only at its end)."""

import io
import os
import subprocess
import sys
import time
from types import SimpleNamespace

from rich.console import Console

from evoforge.cli.progress import RunProgress, Tracker, clock
from evoforge.cli.progress_log import PlainProgress, line
from evoforge.core.budget import Budget
from evoforge.llm.usage import UsageMeter

SLOW = """
import time
SEED = [1.0, 1.0]

def evaluate(genome):
    time.sleep(0.05)
    return {"score": -(genome[0] ** 2 + genome[1] ** 2)}
"""


def engine(evaluations, batch, answers, elapsed=10.0, max_calls=16):
    meter = UsageMeter()
    for _ in range(answers):
        meter.record("op", calls=1, prompt_tokens=10, completion_tokens=5)
    return SimpleNamespace(
        state=SimpleNamespace(evaluations=evaluations, batch=batch, elapsed=elapsed, best_score=-1.5),
        budget=Budget(evaluations=1000, max_calls=max_calls),
        spend=SimpleNamespace(spent=lambda: meter.total),
    )


def test_the_unit_is_chosen_once_and_kept():
    tracker = Tracker()
    first = tracker.snapshot(engine(evaluations=1, batch=1, answers=0))  # the seed: no model call yet
    assert first.lead is None and first.eta is not None  # no unit yet; evaluations give an ETA already
    second = tracker.snapshot(engine(evaluations=14, batch=2, answers=8))
    assert second.lead.text() == "8/16 model calls" and second.eta == 10.0  # 8 more calls at 8 per 10 s
    late = tracker.snapshot(engine(evaluations=990, batch=3, answers=9))  # evaluations now nearer the end
    assert late.lead.text() == "9/16 model calls"  # ... but the unit stays


def test_the_bar_shows_an_eta():
    progress = RunProgress(1000, quiet=True)
    progress(engine(evaluations=500, batch=5, answers=0, max_calls=None), [])
    task = progress.bar.tasks[0]
    assert task.fields["spent"] == "500/1000 evaluations" and task.fields["eta"] == "0:00:10"
    assert clock(3725) == "1:02:05" and clock(None) == "-"


def test_a_plain_line_says_evaluations_best_calls_elapsed_and_eta():
    snap = Tracker().snapshot(engine(evaluations=14, batch=2, answers=8))
    assert line(snap) == (
        "progress: batch 2, 8/16 model calls, evaluations 14, best -1.5, elapsed 0:00:10, ETA 0:00:10"
    )
    assert line(snap, running=4.0).endswith("ETA 0:00:06 (batch 3 running for 0:00:04)")


def test_plain_progress_speaks_during_a_long_batch():
    text = io.StringIO()
    with PlainProgress(Console(file=text, width=200), every=0.3) as progress:
        time.sleep(0.8)  # no batch yet
        progress(engine(evaluations=14, batch=2, answers=8), [])
        time.sleep(0.8)  # a long batch
    lines = text.getvalue().splitlines()
    assert "waiting for the first batch" in lines[0]
    assert any(x.startswith("progress: batch 2, 8/16 model calls") for x in lines)
    assert any("(batch 3 running for" in x for x in lines)


def test_a_run_writing_to_a_file_prints_progress_while_it_runs(write_task, tmp_path):
    log = tmp_path / "log.txt"
    env = {**os.environ, "EVOFORGE_PROGRESS_EVERY": "0.5"}
    args = ["run", "ga", "-t", write_task(SLOW), "--seconds", "6", "--batch-size", "4", "-o", tmp_path / "r.db"]
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "evoforge", *map(str, args)], stdout=out, stderr=out, env=env)
        try:
            seen = []
            while proc.poll() is None and len(seen) < 2:
                seen = [x for x in log.read_text().splitlines() if x.startswith("progress: batch")]
                time.sleep(0.1)
            running = proc.poll() is None
        finally:
            proc.wait(timeout=60)
    assert running and len(seen) >= 2, log.read_text()  # two lines came while the run was still going
    assert "evaluations" in seen[0] and "ETA" in seen[0] and "/6s" in seen[0]
    assert proc.returncode == 0


def test_a_bad_interval_is_one_line_and_exit_2(tmp_path):
    env = {**os.environ, "EVOFORGE_PROGRESS_EVERY": "often"}
    args = ["run", "ga", "-t", "sphere", "-b", "10", "-o", tmp_path / "x.db"]
    done = subprocess.run([sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "EVOFORGE_PROGRESS_EVERY must be a number" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.db").exists()


def test_install_says_what_it_compiles_and_that_it_takes_minutes(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = {  # a python without llama_cpp whose pip does nothing, and a bwrap (nothing to apt-get)
        "python": '#!/bin/sh\n[ "$1" = -c ] && exit 1\necho "pip $*" >> "$0.log"\n',
        "bwrap": "#!/bin/sh\n",
    }
    for name, text in fake.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    script = os.path.join(os.path.dirname(__file__), "..", "scripts", "install.sh")
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(["bash", script, "llm"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "install: compiling llama-cpp-python" in done.stdout and "several minutes" in done.stdout
    assert "install: done in 0 min" in done.stdout
    assert "-m pip install -q -e .[llm]" in (bin_dir / "python.log").read_text()
