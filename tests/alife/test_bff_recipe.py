"""The ``bff`` recipe on the ``bff`` task: a tiny soup stores one record per epoch, resumes after kill -9
to the same records, shows and plots them; a planted replicator takes over; bad input is one line."""

import os
import subprocess
import sys

import numpy as np
import pytest
from alife_helpers import REPLICATOR, cli, kill_9_after, records

pytest.importorskip("numba")
pytest.importorskip("brotli")

from evoforge import RunStore
from evoforge.genomes.soups.measure import jump_epoch
from evoforge.genomes.soups.task import check_record
from evoforge.readers.plot import plot_run
from evoforge.run.api import evolve

TINY = {"tapes": 64, "epochs": 12, "every": 1, "mutation": 0.001}


def test_a_tiny_soup_stores_a_record_per_epoch(tmp_path):
    result = evolve("bff", "bff", budget=None, seed=3, out=tmp_path / "soup.db", executor="inprocess",
                    recipe_params=TINY)  # fmt: skip
    assert result.stop_reason == "12 epochs run"
    rows = records(tmp_path / "soup.db")
    assert [r[3]["epoch"] for r in rows] == list(range(13)) and rows[0][1] == "seed"
    for _, _, score, genome, metrics in rows:
        assert check_record(genome) is genome and score == genome["high_order"]
        assert genome["tapes"] == 64 and genome["length"] == 64 and 0 <= metrics["top_copies"] <= 1
    assert all(r[3]["ops"] > 0 for r in rows[1:])
    again = evolve("bff", "bff", budget=None, seed=3, out=tmp_path / "again.db", executor="inprocess",
                   recipe_params=TINY)  # fmt: skip
    assert again.best.score == result.best.score and records(tmp_path / "again.db") == rows


def test_a_planted_replicator_takes_over(tmp_path):
    def plant(engine, batch):
        if batch[0].operator == "seed":  # after the random soup's record: one tape in 128 replicates
            engine.recipe.soup[:2] = np.frombuffer(REPLICATOR, dtype=np.uint8)

    params = {"tapes": 256, "epochs": 400, "every": 2, "mutation": 0.0, "after_jump": 26}
    result = evolve("bff", "bff", budget=None, seed=1, out=tmp_path / "planted.db", executor="inprocess",
                    recipe_params=params, on_batch=plant)  # fmt: skip
    rows = records(tmp_path / "planted.db")
    jump = jump_epoch([r[3] for r in rows], 1.0)  # its bytes are mostly filler: copies of it measure ~1.5
    assert jump is not None and result.stop_reason.startswith(f"high-order entropy reached 1 at epoch {jump};")
    last = rows[-1][3]
    assert last["epoch"] == jump + 26 and last["unique_tapes"] < 64 and rows[0][3]["unique_tapes"] == 256
    assert last["top"] == REPLICATOR.hex() and rows[-1][4]["top_copies"] == 1.0


def test_killed_run_resumes_to_the_same_records(tmp_path):
    common = ["--task", "bff", "--seed", 4, "--checkpoint-every", 0, "-q", "--executor", "inprocess",
              "--set", "tapes=128", "--set", "epochs=100", "--set", "every=1"]  # fmt: skip
    reference = tmp_path / "reference.db"
    assert cli("run", "bff", *common, "--out", reference).wait(timeout=120) == 0
    killed = tmp_path / "killed.db"
    kill_9_after(20, "bff", *common, "--out", killed)
    so_far, whole = records(killed), records(reference)
    assert 0 < len(so_far) < len(whole) and so_far == whole[: len(so_far)]
    proc = cli("resume", killed, "-q")
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert records(killed) == whole and len(whole) == 101
    store = RunStore.open(killed)
    try:
        assert "most common tape at epoch 100" in store.meta("report")  # what `evoforge show` prints
        assert plot_run(store, tmp_path / "soup.png").stat().st_size > 10_000  # with the soup's own panel
    finally:
        store.close()


@pytest.mark.parametrize(("args", "needle"), [
    (["--task", "bff", "--set", "tapes=1"], "tapes must be an int >= 2, got '1'"),
    (["--task", "bff", "--set", "mutation=2"], "mutation must be a finite float in [0, 1], got '2'"),
    (["--task", "bff", "--set", "soup=9"], "recipe 'bff' has no parameter soup"),
    (["--task", "sphere"], "recipe 'bff' needs a soup genome"),
])  # fmt: skip
def test_bad_input_is_one_line_and_no_run_file(tmp_path, args, needle):
    done = subprocess.run([sys.executable, "-m", "evoforge", "run", "bff", *args, "--out", tmp_path / "x.db"],
                          capture_output=True, text=True)  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and needle in lines[0], done.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_malformed_record_fails_with_its_reason():
    record = dict(evolve_record := _record())
    record["high_order"] = 3.0
    with pytest.raises(ValueError, match="high_order is not shannon - complexity"):
        check_record(record)
    with pytest.raises(ValueError, match="top must be the most common tape"):
        check_record({**evolve_record, "top": "00"})
    with pytest.raises(ValueError, match="epoch must be a whole number"):
        check_record({**evolve_record, "epoch": -1})


def _record():
    from evoforge.core.task import load_task

    return load_task("bff").seed


def test_list_shows_the_recipe_and_the_task():
    done = subprocess.run([sys.executable, "-m", "evoforge", "list"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "250"})  # fmt: skip
    rows = [[c.strip() for c in line.split("│")] for line in done.stdout.splitlines() if "bff" in line]
    assert done.returncode == 0 and len(rows) == 2, done.stdout
    assert any(r[2] == "soup" and "self-replicators" in r[3] for r in rows)
