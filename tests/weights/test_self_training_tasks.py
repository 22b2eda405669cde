"""The self-training benchmark across tasks: rows per task, the control per task, ScPO's share of STaR."""

import importlib.util
import json
from pathlib import Path


def _bench():
    path = Path(__file__).parents[2] / "benchmarks" / "self_training.py"
    spec = importlib.util.spec_from_file_location("bench_self_training_tasks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_table_is_per_task_with_that_tasks_control(tmp_path):
    mod = _bench()

    def cell(method, task, acc, seed=0, heldout=200):
        row = dict(method=method, seed=seed, acc=acc, gain=acc[-1] - acc[0], best_gain=max(acc[1:]) - acc[0])
        row.update(rounds=1, heldout=heldout, seconds=60, generated=100)
        row["params"] = {**mod.METHODS[method], "warm_epochs": 4.0 if task is None else 2.0, "epochs": 1.0}
        if task:
            row["task"] = task
        return row

    rows = [
        cell("control", None, [0.5, 0.4]),  # an old row: addition
        cell("star", "word-problems", [0.3, 0.5]),
        cell("scpo", "word-problems", [0.3, 0.35]),
        cell("control", "word-problems", [0.3, 0.25]),
        cell("grpo", "word-problems", [0.3, 0.4]),
        cell("control", "word-problems", [0.3, 0.5], heldout=64),  # another held-out set: not this arm's control
    ]
    f = tmp_path / "r.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    t = mod.table(f)
    assert t.find(task="addition", method="control")["gain"] == "-0.100"
    assert t.find(task="word-problems", method="star")["vs control"] == "+0.250"  # +0.2 minus -0.05
    assert t.find(task="word-problems", method="grpo")["vs control"] == "+0.150"
    share = [n for n in t.notes if n.startswith("word-problems (1 round, 200 held out): over the control")]
    assert len(share) == 1 and "STaR +25.0 points (1 run)" in share[0] and "ScPO / STaR 40%" in share[0]


def test_a_level_is_its_own_arm_with_its_own_control_and_plot(tmp_path):
    mod = _bench()

    def cell(method, level, acc, seed=0):
        row = dict(method=method, task="word-problems", level=level, seed=seed, acc=acc, rounds=2, heldout=200)
        row.update(gain=acc[-1] - acc[0], best_gain=max(acc[1:]) - acc[0], seconds=60, generated=100, peak_mb=900)
        row["params"] = {**mod.METHODS[method], "warm_epochs": 4.0, "epochs": 1.0}
        return row

    rows = [
        cell("star", {"steps": 3}, [0.3, 0.4, 0.5]),
        cell("star", {"steps": 3}, [0.3, 0.45, 0.5], seed=1),
        cell("control", {"steps": 3}, [0.3, 0.3, 0.35]),
        cell("control", {}, [0.4, 0.2, 0.1]),  # the default level: not the steps=3 control
    ]
    f = tmp_path / "r.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    t = mod.table(f)
    star = t.find(task="word-problems steps=3", method="star")
    assert star["vs control"] == "+0.150" and star["seeds"] == "2" and star["peak MB"] == "900"
    png = tmp_path / "rounds.png"
    mod.main(
        ["--task", "word-problems", "--level", "steps=3", "--rounds", "2", "--plot", str(png), "--results", f"{f}"]
    )
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_bad_level_or_override_exits_2(capsys):
    import pytest

    mod = _bench()
    for flags in (["--level", "steps"], ["--set", "problems"]):
        with pytest.raises(SystemExit) as err:
            mod.main([*flags, "--table"])
        assert err.value.code == 2 and "KEY=VALUE" in capsys.readouterr().err


def test_plot_without_cells_says_so(tmp_path):
    import pytest

    mod = _bench()
    with pytest.raises(SystemExit) as err:
        mod.main(["--level", "steps=9", "--plot", str(tmp_path / "x.png"), "--results", str(tmp_path / "none.jsonl")])
    assert "no recorded cells" in str(err.value)
