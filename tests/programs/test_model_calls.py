"""What the model did, kept per child: the request each model-made child came from and the raw answer
(store/calls.py), `export` rows built from them (sft, messages, dpo, jsonl, filters), children made
without a model saying so (tune), and run files from before the calls were kept."""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from program_helpers import Answer

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.readers.export import Filters, export_run
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor
from evoforge.store.run_file import RunStore

GOOD = (
    "\x1b[2J Here it is:\n```python\ndef priority(item, bins):\n    gap = bins - item\n"
    "    return -gap + 3.0 * (gap == 0) - 0.5 * (gap > 0) * (gap < {k})\n```"
)
WORSE = "```python\ndef priority(item, bins):\n    return (bins - item) * {k}\n```"  # worst fit
BROKEN = "```python\ndef priority(item, bins):\n    return undefined_name * bins\n```"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "before_move"


class Scripted:
    """Answers in turn; keeps a deep copy of every request it received, with the answer it gave."""

    def __init__(self, answers):
        self.answers, self.received = answers, []

    def chat(self, messages, n=1, temperature=0.8, max_tokens=512, stop=None, seed=None, tag=""):
        answer = self.answers[len(self.received) % len(self.answers)]
        self.received.append((copy.deepcopy(messages), answer))
        return [Answer(answer)]


def model_run(path: Path, name: str = "evolve", evaluations: int = 12, mixed: bool = False, **params) -> Scripted:
    task = load_task("binpack", {"instances": 2, "items": 300})
    if name == "evolve":
        params.setdefault("near_duplicate", 0)
    recipe = get_recipe(name).from_params(params)
    answers = [(WORSE if mixed and k % 2 else GOOD).format(k=k) for k in range(2, 40)]
    answers = [BROKEN, *answers] if name == "evolve" else answers  # a failed child, then its repair
    recipe.model = Scripted(answers)
    store = RunStore.create(path, {"recipe": name, "task": "binpack"})
    engine = Engine(task, recipe, seed=1, budget=Budget(evaluations=evaluations), store=store)
    engine.run(InProcessExecutor(task, timeout=60))
    store.close()
    return recipe.model


def cli(*args):
    return subprocess.run([sys.executable, "-m", "evoforge", *map(str, args)], capture_output=True, text=True)


def export(path: Path, fmt: str, out: Path, keep: Filters | None = None) -> list[dict]:
    store = RunStore.open(path)
    try:
        export_run(store, fmt, out, keep)
    finally:
        store.close()
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="module")
def evolve_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("calls") / "evolve.db"
    return path, model_run(path, batch_size=4, calls_per_batch=2)


def test_the_sft_export_of_a_model_run_contains_the_exact_messages_the_model_received(evolve_run, tmp_path):
    path, model = evolve_run
    rows = export(path, "sft", tmp_path / "sft.jsonl")
    assert rows
    received = [(messages, answer) for messages, answer in model.received]
    for row in rows:
        assert (row["prompt"], row["completion"][0]["content"]) in received
        assert row["completion"][0]["role"] == "assistant"
        assert row["prompt"][0]["role"] == "system" and "Task: " in row["prompt"][1]["content"]


def test_messages_format_is_chat_rows_and_dpo_pairs_use_the_requests(tmp_path):
    path = tmp_path / "funsearch.db"
    model = model_run(path, "funsearch", evaluations=14, mixed=True, batch_size=3)
    rows = export(path, "messages", tmp_path / "m.jsonl", Filters(min_gain=-1e9))
    assert rows and all(set(r) == {"messages"} for r in rows)
    received = [messages + [{"role": "assistant", "content": answer}] for messages, answer in model.received]
    assert all(r["messages"] in received for r in rows)
    dpo = export(path, "dpo", tmp_path / "dpo.jsonl")
    assert dpo
    for row in dpo:
        assert row["prompt"] in [m for m, _ in model.received]
        assert row["chosen"][0]["content"] != row["rejected"][0]["content"]


def test_tuned_children_say_no_model_was_called(evolve_run):
    path, model = evolve_run
    store = RunStore.open(path)
    try:
        calls, cands = store.calls(), {c.id: c for c in store.candidates()}
        by_op = store.calls_by_operator()
    finally:
        store.close()
    tuned = [cid for cid, c in cands.items() if c.operator == "tune"]
    assert tuned and all(not calls[cid].called and not calls[cid].messages for cid in tuned)
    made = [cid for cid, call in calls.items() if call.called]
    assert made and all(cands[cid].operator in ("line", "rewrite", "crossover", "repair") for cid in made)
    assert 0 not in calls  # the seed: not recorded
    assert by_op["tune"] == (0, len(tuned)) and sum(a for a, _ in by_op.values()) == len(made)
    answers = [a for _, a in model.received]
    assert all(calls[cid].answer in answers for cid in made)


def test_export_filters_and_jsonl_keeps_metrics_and_feedback(evolve_run, tmp_path):
    path, _ = evolve_run
    rows = export(path, "jsonl", tmp_path / "all.jsonl")
    assert rows and all("metrics" in r and "feedback" in r for r in rows)
    assert any(r["metrics"] for r in rows)
    assert {r["model_called"] for r in rows if r["operator"] == "tune"} == {False}
    assert all(r["messages"] and r["answer"] for r in rows if r["model_called"])
    tune = export(path, "jsonl", tmp_path / "tune.jsonl", Filters(operator="tune"))
    assert tune and {r["operator"] for r in tune} == {"tune"}
    gains = [r["gain"] for r in rows if r["gain"] is not None]
    cut = sorted(gains)[len(gains) // 2]
    kept = export(path, "jsonl", tmp_path / "gain.jsonl", Filters(min_gain=cut))
    assert kept and all(r["gain"] >= cut for r in kept)
    assert len(kept) == sum(g >= cut for g in gains)
    failed = export(path, "jsonl", tmp_path / "failed.jsonl", Filters(status="failed"))
    assert all(r["status"] == "failed" for r in failed)
    sft = export(path, "sft", tmp_path / "sft.jsonl", Filters(operator="line", min_gain=-1e9))
    assert len(sft) == sum(1 for r in rows if r["operator"] == "line" and r["gain"] is not None)


def test_a_run_file_from_before_the_calls_table_reads_and_exports(tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "ga-sphere.db", old)
    store = RunStore.open(old)
    try:
        assert store.calls() == {} and store.calls_by_operator() == {}
    finally:
        store.close()
    rows = export(old, "jsonl", tmp_path / "old.jsonl")
    assert rows and all(r["model_called"] is None for r in rows)
    sft = export(old, "sft", tmp_path / "old-sft.jsonl")
    assert all(r["prompt"].startswith("Task: ") for r in sft)  # made up from the lineage: no model call kept


def test_show_candidate_prints_the_request_and_answer_escaped(tmp_path):
    path = tmp_path / "run.db"
    model_run(path, "funsearch", evaluations=4, batch_size=3)
    store = RunStore.open(path)
    try:
        cid = next(c.id for c in store.candidates() if c.operator == "funsearch")
        call = store.calls([cid])[cid]
    finally:
        store.close()
    proc = cli("show", path, "--candidate", cid)
    assert proc.returncode == 0, proc.stderr
    assert "operator: funsearch" in proc.stdout and "model called: yes (2 messages)" in proc.stdout
    assert call.messages[1]["content"].splitlines()[-1] in proc.stdout
    assert "\x1b" not in proc.stdout and "\\x1b[2J" in proc.stdout  # the answer's escape, shown as text
    assert "--- answer ---" in proc.stdout and "gap = bins - item" in proc.stdout
    seed = cli("show", path, "--candidate", 0)
    assert "model called: not recorded" in seed.stdout
    summary = cli("show", path)
    assert "children by operator" in summary.stdout and "funsearch" in summary.stdout
    missing = cli("show", path, "--candidate", 999)
    assert missing.returncode == 1 and "no candidate 999" in missing.stderr


def test_the_dashboards_candidate_panel_gets_the_request_and_answer(evolve_run):
    from evoforge.readers.ui.lineage import candidate

    path, _ = evolve_run
    store = RunStore.open(path)
    try:
        calls = store.calls()
        made = next(cid for cid, call in calls.items() if call.called)
        tuned = next(cid for cid, call in calls.items() if not call.called)
        shown, plain, seed = candidate(store, made), candidate(store, tuned), candidate(store, 0)
    finally:
        store.close()
    assert shown["call"]["model_called"] and shown["call"]["answer"] == calls[made].answer
    assert shown["call"]["messages"] == [dict(m) for m in calls[made].messages]
    assert plain["call"] == {"model_called": False, "messages": [], "answer": ""}
    assert seed["call"] is None


def test_the_report_counts_per_operator_the_children_a_model_call_made(evolve_run, tmp_path):
    from evoforge.readers.ui.data import operators

    path, _ = evolve_run
    store = RunStore.open(path)
    try:
        rows = {r["operator"]: r for r in operators(store)}
        by_op = store.calls_by_operator()
    finally:
        store.close()
    assert rows["tune"]["model_calls"] == 0 and rows["tune"]["no_model"] == by_op["tune"][1] > 0
    assert all(rows[op]["model_calls"] == made for op, (made, _) in by_op.items())
    assert "model_calls" not in rows["seed"]
    proc = cli("report", path, "-o", tmp_path / "report.html")
    assert proc.returncode == 0, proc.stderr
    assert '"model_calls"' in (tmp_path / "report.html").read_text()


def test_prompt_operators_record_the_request_their_child_came_from():
    import numpy as np

    from evoforge.core.model_call import NO_CALL
    from evoforge.genomes.prompts import Mutator, make_unit

    model = Scripted(["Sure! Here is the new instruction: Answer with the label only."])
    mutator = Mutator(model, "label the topic", [("a song", "music"), ("a goal", "sport")])
    unit, rng = make_unit("Say the topic."), np.random.default_rng(0)
    child, _ = mutator.apply("zero_order", unit, [(unit, 0.5)], rng)
    ((sent, answer),) = model.received
    assert child["instruction"] == "Answer with the label only."
    assert mutator.last_call.messages == tuple(sent) and mutator.last_call.answer == answer
    mutator.apply("context_shuffle", unit, [(unit, 0.5)], rng)
    assert mutator.last_call == NO_CALL and len(model.received) == 1


@pytest.mark.parametrize("name", ["mind-evolution", "co-scientist", "auto-evolve", "iterative-deepening"])
def test_solution_recipes_record_the_request_each_child_answers(tmp_path, name):
    task = load_task("meeting-scheduling", {"instance": 1, "people": 2, "duration": 30})
    recipe = get_recipe(name).from_params({"batch_size": 2})
    recipe.model = Scripted([f"{h}:00-{h}:30" for h in range(9, 17)] + ["Check each person's calendar."])
    store = RunStore.create(tmp_path / "run.db", {"recipe": name, "task": "meeting-scheduling"})
    engine = Engine(task, recipe, seed=0, budget=Budget(evaluations=6), store=store)
    engine.run(InProcessExecutor(task, None))
    store.close()
    store = RunStore.open(tmp_path / "run.db")
    try:
        calls, cands = store.calls(), list(store.candidates())
    finally:
        store.close()
    assert cands and all(calls[c.id].called for c in cands)
    for c in cands:
        assert (list(calls[c.id].messages), calls[c.id].answer) in recipe.model.received
        assert c.genome == calls[c.id].answer.strip()
