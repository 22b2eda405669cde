import importlib.util
import json
from pathlib import Path


def _bench():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "prompt_evolution.py"
    spec = importlib.util.spec_from_file_location("prompt_evolution_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tables_separate_prompt_cells_and_planning_rows(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [
        {"system": "evoforge", "task": "sentiment", "seed": s, "accuracy": a, "metric_calls": 296, "seconds": 60}
        for s, a in ((0, 0.7), (1, 0.8))
    ]
    rows.append(
        {
            "system": "best-of-n",
            "task": "meeting-scheduling",
            "instance": 0,
            "budget_calls": 12,
            "success": 1,
            "calls": 12,
        }
    )
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = bench.table(out)
    row = table.find(task="sentiment", system="evoforge")
    assert (row["seeds"], row["held-out acc"], row["median"]) == ("2", "0.750±0.071", "0.750")
    assert len(table.rows) == 1  # the planning row is not a prompt cell
    assert bench.planning_table(out).find(system="best-of-n (4p, 60min)")["instances"] == "1"
    rows.append(
        {
            "system": "co-scientist",
            "task": "meeting-scheduling",
            "instance": 0,
            "budget_calls": 12,
            "success": 0,
            "calls": 12,
            "best_score": 0.5,
            "elo_spearman": 0.4,
        }
    )
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    row = bench.planning_table(out).find(system="co-scientist (4p, 60min)")
    assert (row["Elo~score rho"], row["mean best"], row["judge right"]) == ("+0.40 (n=1)", "0.500", "-")


def test_a_rerun_cell_replaces_its_earlier_row(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [
        {
            "system": "evoforge",
            "task": "topic",
            "seed": 0,
            "accuracy": a,
            "metric_calls": 296,
            "seconds": 60,
            "budget_metric_calls": 300,
        }
        for a in (0.2, 0.6)
    ]
    rows.append({**rows[0], "seed": 1, "accuracy": 0.8})
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = bench.table(out)
    assert table.find(task="topic", system="evoforge")["held-out acc"] == "0.700±0.141"
    assert table.find(task="topic", system="evoforge")["seeds"] == "2"
    assert any("1 earlier row(s)" in note for note in table.notes)


def test_seed_filter_median_and_judge_column(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [
        {"system": "evoforge", "task": "topic", "seed": s, "accuracy": a, "metric_calls": 296, "seconds": 60}
        for s, a in ((0, 0.2), (1, 0.6), (2, 0.7), (3, 0.9))
    ]
    rows.append(
        {
            "system": "co-scientist",
            "task": "meeting-scheduling",
            "instance": 0,
            "budget_calls": 12,
            "success": 0,
            "calls": 12,
            "judge_right": 3,
            "judge_wrong": 1,
        }
    )
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    row = bench.table(out).find(task="topic", system="evoforge")
    assert (row["seeds"], row["held-out acc"], row["median"]) == ("4", "0.600±0.294", "0.650")
    row = bench.table(out, range(0, 3)).find(task="topic", system="evoforge")
    assert (row["seeds"], row["held-out acc"], row["median"]) == ("3", "0.500±0.265", "0.600")
    assert bench.planning_table(out).find(system="co-scientist (4p, 60min)")["judge right"] == "3/4"


def test_dev_table_groups_by_settings(tmp_path):
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "promptbreeder_dev.py"
    spec = importlib.util.spec_from_file_location("promptbreeder_dev_bench", path)
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    out = tmp_path / "d.jsonl"
    rows = [
        {"task": "sentiment", "seed": s, "dev_accuracy": a, "settings": {"population": p, "minibatch": m}}
        for s, a, p, m in ((0, 0.5, 8, 8), (1, 0.9, 8, 8), (0, 0.8, 16, 4), (1, 0.7, 16, 4), (1, 0.6, 16, 4))
    ]
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = dev.table(out)
    row = table.find(settings="minibatch=8, operators=all, population=8, selection=tournament")
    assert (row["seeds"], row["mean"], row["median"]) == ("0,1", "0.700", "0.700")
    row = table.find(settings="minibatch=4, operators=all, population=16, selection=tournament")
    assert (row["seeds"], row["mean"]) == ("0,1", "0.700")  # seed 1 re-run: 0.6 replaces 0.7
    assert "minibatch=8" in str(table) and "0.700" in str(table)  # printed with rich


def test_rows_of_another_task_model_form_their_own_cell(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [
        {
            "system": "evoforge",
            "task": "topic",
            "seed": 0,
            "accuracy": a,
            "metric_calls": 300,
            "seconds": 60,
            **({"model": m} if m else {}),
        }
        for a, m in ((0.5, None), (0.9, "embedded:coder"))
    ]
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = bench.table(out)
    assert table.find(task="topic", system="evoforge")["held-out acc"] == "0.500"
    assert table.find(task="topic", system="evoforge (embedded:coder)")["held-out acc"] == "0.900"


def test_harness_appends_rows_with_the_command_and_aggregates_over_seeds(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import _harness as h

    out = tmp_path / "sub" / "r.jsonl"
    for seed, acc in ((0, 0.5), (1, 0.7), (1, 0.9)):
        written = h.append_row(out, {"task": "t", "seed": seed, "accuracy": acc})
        assert written["command"] and written["when"]
    rows = h.read_rows(out)
    assert [r["accuracy"] for r in rows] == [0.5, 0.7, 0.9] and h.read_rows(tmp_path / "none.jsonl") == []
    kept = h.latest(rows, lambda r: (r["task"], r["seed"]))
    acc = h.summarise(r["accuracy"] for r in kept.values())
    assert (acc.n, acc.mean, acc.median) == (2, 0.7, 0.7) and abs(acc.sd - 0.2828) < 1e-4
    assert h.summarise([None]) is None and h.summarise([1.0]).sd is None
    table = h.Table([("task", "left"), ("mean", "right")], notes=["a note"])
    table.add("t", f"{acc.mean:.3f}")
    assert table.find(task="t") == {"task": "t", "mean": "0.700"}
    assert str(table).splitlines()[-1] == "a note" and "0.700" in str(table)
