"""A self-training run's answer in `show` (the final checkpoint, its held-out score, the starting
checkpoint as the seed), and exported lineage accepted by TRL's SFT and DPO trainers."""

import io
from pathlib import Path

import pytest
from rich.console import Console

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

import evoforge
from evoforge.readers.report import show_run
from evoforge.run import api
from evoforge.store.run_file import RunStore

TINY = dict(base="tiny", problems=4, samples=2, warm_start=4, warm_epochs=1.0, epochs=1.0, train_batch=4, gen_batch=16)


def test_show_prints_the_final_checkpoint_and_the_starting_one(weights_dir, tmp_path):
    res = api.evolve(
        "addition",
        "sft-gold",
        budget=2,
        seed=1,
        out=tmp_path / "run.db",
        executor="inprocess",
        recipe_params=TINY,
        task_options={"heldout": 8},
    )
    store = RunStore.open(res.path)
    console = Console(record=True, width=400, file=io.StringIO())
    try:
        answer = store.meta("answer")
        last, first = store.candidate(1), store.candidate(0)
        show_run(store, console)
    finally:
        store.close()
    assert answer["genome"] == last.genome and answer["candidate"] == 1 and answer["score"] == last.score
    assert Path(answer["genome"]).is_dir()
    text = console.export_text()
    assert f"answer (final checkpoint, candidate 1): score {last.score:.6g} on the task's held-out problems" in text
    assert f"seed score {first.score:.6g} (the task's held-out problems: the starting checkpoint (round 0))" in text


def test_exported_lineage_trains_with_trl(weights_dir, tmp_path):
    datasets = pytest.importorskip("datasets")
    from evoforge.genomes.weights import models
    from evoforge.genomes.weights.train import TrainConfig, dpo, sft
    from evoforge.readers.export import export_run

    run = tmp_path / "ga.db"
    evoforge.evolve("sphere", "ga", budget=64, seed=0, executor="inprocess", out=run, task_options={"dim": 2})
    store = RunStore.open(run)
    try:
        export_run(store, "sft", tmp_path / "sft.jsonl")
        export_run(store, "dpo", tmp_path / "dpo.jsonl")
    finally:
        store.close()
    sft_rows = datasets.load_dataset("json", data_files=str(tmp_path / "sft.jsonl"), split="train")
    dpo_rows = datasets.load_dataset("json", data_files=str(tmp_path / "dpo.jsonl"), split="train")
    assert len(sft_rows) >= 4 and len(dpo_rows) >= 4
    base = models.resolve("tiny")
    cfg = TrainConfig(batch_size=4, epochs=1.0)
    tuned = sft(base, [dict(r) for r in sft_rows.select(range(4))], weights_dir / "sft", cfg)
    assert models.finished(tuned)
    preferred = dpo(base, [dict(r) for r in dpo_rows.select(range(4))], weights_dir / "dpo", cfg)
    assert models.finished(preferred)
