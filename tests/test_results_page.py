"""The generated results page: every results file becomes a section with a row per measured cell."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "benchmarks" / "results_page.py"


def generate(results: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--results", str(results), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_page_has_a_row_per_cell(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    rows = [
        {"system": "evoforge", "task": "sums", "seed": s, "accuracy": acc, "metric_calls": 300, "seconds": 60.0}
        for s, acc in ((0, 0.25), (1, 0.35))
    ]
    (results / "prompt_evolution.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (results / "mystery.jsonl").write_text(json.dumps({"system": "x", "task": "t", "seed": 0, "gain": -0.5}) + "\n")
    (results / "notes.txt").write_text("$ python benchmarks/notes.py\nratio 1.22 (target <= 1.2)\n")
    out = tmp_path / "results.md"

    done = generate(results, out)

    assert done.returncode == 0, done.stderr
    page = out.read_text()
    # the benchmark's own table: mean ± sd and median over the two seeds, a negative result included
    assert "| sums | evoforge | 2 | 0.300±0.071 | 0.300 | 300 | 1.0 |" in page
    assert "python benchmarks/prompt_evolution.py --table" in page
    # a file without a known script: the generic table, grouped by system and task
    assert "| x | t | 1 | -0.5 |" in page
    # a text file: verbatim, in a code block
    assert "```\n$ python benchmarks/notes.py\nratio 1.22 (target <= 1.2)\n```" in page
    assert "`benchmarks/results/mystery.jsonl`, 1 row." in page


def test_check_reports_a_stale_page(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "a.txt").write_text("figure 1\n")
    out = tmp_path / "results.md"
    assert generate(results, out).returncode == 0
    assert generate(results, out, "--check").returncode == 0
    (results / "a.txt").write_text("figure 2\n")
    stale = generate(results, out, "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr


def test_committed_page_is_current():
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
