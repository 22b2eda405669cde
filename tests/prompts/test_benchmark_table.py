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
    rows = [{"system": "evoforge", "task": "sentiment", "seed": s, "accuracy": a, "metric_calls": 296,
             "seconds": 60} for s, a in ((0, 0.7), (1, 0.8))]
    rows.append({"system": "best-of-n", "task": "meeting-scheduling", "instance": 0, "budget_calls": 12,
                 "success": 1, "calls": 12})
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = bench.table(out)
    assert "sentiment  evoforge      2    0.750±0.071" in table
    assert "best-of-n" not in table
    assert "best-of-n (4p, 60min)" in bench.planning_table(out)
    rows.append({"system": "co-scientist", "task": "meeting-scheduling", "instance": 0, "budget_calls": 12,
                 "success": 0, "calls": 12, "best_score": 0.5, "elo_spearman": 0.4})
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    planning = bench.planning_table(out)
    assert "+0.40 (n=1)" in planning and "0.500" in planning


def test_a_rerun_cell_replaces_its_earlier_row(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [{"system": "evoforge", "task": "topic", "seed": 0, "accuracy": a, "metric_calls": 296,
             "seconds": 60, "budget_metric_calls": 300} for a in (0.2, 0.6)]
    rows.append({**rows[0], "seed": 1, "accuracy": 0.8})
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = bench.table(out)
    assert "topic      evoforge      2    0.700±0.141" in table
    assert "1 earlier row(s)" in table


def test_seed_filter_median_and_judge_column(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [{"system": "evoforge", "task": "topic", "seed": s, "accuracy": a, "metric_calls": 296, "seconds": 60}
            for s, a in ((0, 0.2), (1, 0.6), (2, 0.7), (3, 0.9))]
    rows.append({"system": "co-scientist", "task": "meeting-scheduling", "instance": 0, "budget_calls": 12,
                 "success": 0, "calls": 12, "judge_right": 3, "judge_wrong": 1})
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert "topic      evoforge      4    0.600±0.294  0.650" in bench.table(out)
    assert "topic      evoforge      3    0.500±0.265  0.600" in bench.table(out, range(0, 3))
    assert "3/4" in bench.planning_table(out)


def test_dev_table_groups_by_settings(tmp_path):
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "promptbreeder_dev.py"
    spec = importlib.util.spec_from_file_location("promptbreeder_dev_bench", path)
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    out = tmp_path / "d.jsonl"
    rows = [{"task": "sentiment", "seed": s, "dev_accuracy": a, "settings": {"population": p, "minibatch": m}}
            for s, a, p, m in ((0, 0.5, 8, 8), (1, 0.9, 8, 8), (0, 0.8, 16, 4), (1, 0.7, 16, 4), (1, 0.6, 16, 4))]
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    lines = dev.table(out).splitlines()
    assert any("0,1" in ln and "0.700" in ln and "minibatch=8, operators=all, population=8" in ln for ln in lines)
    assert any("0.700" in ln and "minibatch=4, operators=all, population=16" in ln for ln in lines)  # seed 1 re-run: 0.6


def test_rows_of_another_task_model_form_their_own_cell(tmp_path):
    bench = _bench()
    out = tmp_path / "r.jsonl"
    rows = [{"system": "evoforge", "task": "topic", "seed": 0, "accuracy": a, "metric_calls": 300, "seconds": 60,
             **({"model": m} if m else {})} for a, m in ((0.5, None), (0.9, "embedded:coder"))]
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    table = bench.table(out)
    assert "topic      evoforge      1    0.500" in table
    assert "evoforge (embedded:coder)     1    0.900" in table
