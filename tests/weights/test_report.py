import io
import json

from evoforge.core.candidate import Candidate


def test_round_table_from_candidates():
    from evoforge.genomes.weights import round_table, rounds

    cands = [
        Candidate(genome="/c0", operator="warm-start", score=0.1, status="ok", info={"round": 0}),
        Candidate(
            genome="/c1",
            operator="star-round",
            score=0.3,
            status="ok",
            metrics={"heldout_acc": 0.3, "pass1": 0.2, "passk": 0.5, "gv_gap": 0.3},
            info={"round": 1, "monitors": {"accepted": 7, "dataset": 55}},
        ),
    ]
    assert [r["round"] for r in rounds(reversed(cands))] == [0, 1]
    buf = io.StringIO()
    text = round_table(cands, file=buf)
    assert "held-out" in text and "0.300" in text and "55" in text and buf.getvalue().strip() == text


def test_benchmark_table(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "benchmarks" / "self_training.py"
    spec = importlib.util.spec_from_file_location("bench_self_training", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    f = tmp_path / "r.jsonl"
    common = dict(rounds=3, heldout=200, seconds=60)
    cells = [
        dict(
            method="star",
            seed=s,
            acc=[0.1, 0.3],
            gain=0.2,
            best_gain=0.2,
            generated=190,
            params={**mod.METHODS["star"], "warm_epochs": 4.0, "epochs": 1.0},
            **common,
        )
        for s in (0, 1)
    ]
    cells += [
        dict(
            method="scpo",
            seed=0,
            acc=[0.1, 0.28],
            gain=0.18,
            best_gain=0.18,
            generated=192,
            params={**mod.METHODS["scpo"], "warm_epochs": 4.0, "epochs": 1.0},
            **common,
        )
    ]
    cells += [
        dict(
            method="scpo",
            seed=0,
            acc=[0.1, 0.0],
            gain=-0.1,
            best_gain=-0.1,
            generated_per_round=128,
            problems=32,
            samples=4,
            **common,
        )
    ]  # an older configuration: its own row, not in the ratio
    cells += [dict(cells[0], rounds=1, seed=5)]  # fewer rounds: its own row too
    f.write_text("".join(json.dumps(c) + "\n" for c in cells))
    text = str(mod.table(f))
    assert "128x1, 200 held out" in text and "48x4 min_votes=3, 200 held out" in text
    assert "32x4, 200 held out" in text and "128x1, 1 round, 200 held out" in text
    assert "ScPO / STaR gain 90%" in text and "STaR gain +20.0 points over 2 runs" in text


def test_benchmark_cell_gets_a_fresh_weights_folder_with_the_shared_warm_start(tmp_path, monkeypatch):
    """A re-run cell must not find the earlier run's generations or updates (its minutes would mean
    nothing); the warm start, shared by every cell, is linked in and one trained by the cell is kept."""
    import importlib.util
    import os
    from pathlib import Path

    path = Path(__file__).parents[2] / "benchmarks" / "self_training.py"
    spec = importlib.util.spec_from_file_location("bench_self_training_fresh", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shared, fresh = tmp_path / "shared", tmp_path / "cell" / "weights"
    (shared / "warm-abc").mkdir(parents=True)
    (shared / "star-123" / "gen-cache").mkdir(parents=True)  # an earlier run's caches
    monkeypatch.setenv("EVOFORGE_WEIGHTS_DIR", str(shared))
    mod._fresh_weights_dir(shared, fresh)
    assert os.environ["EVOFORGE_WEIGHTS_DIR"] == str(fresh)
    assert sorted(p.name for p in fresh.iterdir()) == ["warm-abc"] and (fresh / "warm-abc").is_symlink()
    (fresh / "warm-new").mkdir()  # a warm start this cell trained
    mod._keep_warm_starts(fresh, shared)
    assert (shared / "warm-new").is_dir() and not (shared / "warm-new").is_symlink()
    assert (shared / "warm-abc").is_dir() and not (fresh / "warm-new").exists()


def test_round_table_shows_the_recipes_own_accuracy_monitors():
    from types import SimpleNamespace

    from evoforge.genomes.weights.report import round_table

    def cand(r, **mon):
        return SimpleNamespace(info={"round": r, "monitors": mon}, generation=r, operator="x", score=0.5,
                               status="ok", genome="ckpt", metrics={"heldout_acc": 0.5})  # fmt: skip

    text = round_table([cand(0), cand(1, rm_acc=0.75, sel_prm=0.25, pairs=3)])
    head, _, last = text.splitlines()
    assert "rm_acc" in head and "sel_prm" in head and "heldout_acc" not in head and "pairs" not in head
    assert "0.750" in last and "0.250" in last
