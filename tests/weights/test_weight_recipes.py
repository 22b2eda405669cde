"""Every self-training recipe end to end on a tiny random model, and resume after SIGKILL mid-round."""

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from evoforge.genomes.weights import round_table, rounds
from evoforge.run import api
from evoforge.store.run_file import RunStore

TINY = dict(base="tiny", problems=4, samples=2, warm_start=4, warm_epochs=1.0, epochs=1.0, train_batch=4, gen_batch=16)
TASK = {"heldout": 8}

RECIPES = ["star", "rest-em", "scpo", "sft-gold", "self-rewarding", "meta-rewarding", "b-star", "ladder"]


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_end_to_end(name, self_train, tmp_path):
    params = dict(TINY)
    if name in ("self-rewarding", "meta-rewarding"):
        params["problems"] = 2
    last = self_train("addition", name, 2, params, **TASK)[1]
    run = tmp_path / "run.db"  # where self_train writes
    keys = (
        ("heldout_acc", "dataset")
        if name == "sft-gold"
        else ("heldout_acc", "pass1", "passk", "diversity", "gv_gap", "dataset", "accepted")
    )
    for key in keys:
        assert key in last, key
    assert "held-out" in round_table(run, file=io.StringIO())
    if name in ("star", "self-rewarding", "meta-rewarding"):  # the monitors panel of `evoforge plot`
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        from evoforge.store.run_file import RunStore

        fig, ax = plt.subplots()
        store = RunStore.open(run)
        recipe = store.recipe_state()[1]["recipe"]
        assert type(recipe).draws_plot_extra()
        recipe.plot_extra(ax, store)
        labels = {line.get_label() for line in ax.get_lines()}
        assert {"held-out accuracy", "pass@1", "answer diversity", "generation-verification gap"} <= labels
        if name.endswith("-rewarding"):
            assert "judge's self-preference" in labels
        plt.close(fig)


def test_weighted_dpo_and_full_finetune(weights_dir):
    from evoforge.genomes.weights import models
    from evoforge.genomes.weights.generate import generate
    from evoforge.genomes.weights.train import TrainConfig, dpo, sft

    base = models.resolve("tiny")
    rows = [{"prompt": f"Q: {a}+1\nA:", "completion": f" {a + 1}"} for a in range(8)]
    full = sft(base, rows, weights_dir / "full", TrainConfig(lora=False, batch_size=4, lr=1e-3))
    assert (full / "config.json").is_file() and models.finished(full)
    assert sft(base, rows, weights_dir / "full", TrainConfig(lora=False, batch_size=4, lr=1e-3)) == full  # reused
    pairs = [
        dict(prompt=r["prompt"], chosen=r["completion"], rejected=" 0", weight=w) for r, w in zip(rows, [1.0, 0.5] * 4)
    ]
    lora = dpo(full, pairs, weights_dir / "dpo", TrainConfig(batch_size=2))
    assert models.chain_of(lora) == [str(lora)] and models.base_of(lora) == full
    stacked = sft(lora, rows, weights_dir / "stacked", TrainConfig(batch_size=4))
    assert models.chain_of(stacked) == [str(lora), str(stacked)]
    a = generate(stacked, ["Q: 3+1\nA:"], n=3, temperature=1.0, seed=5, max_new_tokens=4, cache=weights_dir / "c")
    b = generate(stacked, ["Q: 3+1\nA:"], n=3, temperature=1.0, seed=5, max_new_tokens=4)
    assert a == b and len(a[0]) == 3


SCRIPT = """
import sys
from evoforge.run import api
params = dict({tiny})
if sys.argv[2] == "resume":
    api.resume(sys.argv[1])
else:
    api.evolve("addition", "star", budget=3, seed=2, out=sys.argv[1], executor="inprocess",
               recipe_params=params, task_options={task})
"""


@pytest.mark.slow  # ~40 s: two fresh interpreters import torch and TRL
def test_resume_after_sigkill_mid_round(weights_dir, tmp_path):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(tiny=TINY, task=TASK))
    env = {**os.environ}
    ref = tmp_path / "ref.db"
    api.evolve(
        "addition",
        "star",
        budget=3,
        seed=2,
        out=ref,
        executor="inprocess",  # nothing shared, no cache
        recipe_params=dict(TINY, workdir=str(tmp_path / "ref")),
        task_options=TASK,
    )
    killed = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, str(script), str(killed), "new"], env=env)
    deadline = time.time() + 240
    try:
        while time.time() < deadline and proc.poll() is None:  # kill once round 1 is committed
            if killed.exists():
                try:
                    store = RunStore.open(killed)
                    done = len(store.batches())
                    store.close()
                except Exception:
                    done = 0
                if done >= 2:
                    break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    store = RunStore.open(killed)
    assert store.meta("status") != "finished"
    store.close()
    subprocess.run([sys.executable, str(script), str(killed), "resume"], env=env, check=True, timeout=300)
    got, want = rounds(killed), rounds(ref)
    assert [r["round"] for r in got] == [0, 1, 2]
    assert [r["checkpoint"] for r in got] != [r["checkpoint"] for r in want]  # separate run directories
    assert [r["score"] for r in got] == [r["score"] for r in want]
    assert [r.get("pass1") for r in got] == [r.get("pass1") for r in want]


@pytest.mark.parametrize("swap_vote", [False, True])
def test_easy_to_hard_labels_longer_problems_itself(weights_dir, tmp_path, swap_vote):
    """The from-scratch length curriculum on a 2-layer model: round 1 labels 3-digit problems with the
    model's own answers, keeps only those of plausible length (and, with ``swap_vote``, the same for
    b+a), and records per-length accuracy."""
    params = dict(base="tiny", warm_start=64, problems=16, replay=16, train_batch=8, warm_batch=8, swap_vote=swap_vote)
    res = api.evolve(
        "reversed-addition",
        "easy-to-hard",
        budget=2,
        seed=1,
        out=tmp_path / "run.db",
        executor="inprocess",
        recipe_params=params,
        task_options={"digits": 2, "max_digits": 4, "heldout": 8},
    )
    table = rounds(res.path)
    assert [r["round"] for r in table] == [0, 1]
    last = table[1]
    assert last["frontier"] == 3 and last["generated"] == (32 if swap_vote else 16)
    assert {"acc_1", "acc_2", "acc_3", "acc_4"} <= set(last)
    assert 0.0 <= last["score"] <= 4.0
    data = json.loads(next(Path(weights_dir).glob("easy-to-hard-*/data-01.json")).read_text())
    assert len(data) == last["accepted"]
    for row in data:  # every kept label has a 3- or 4-digit answer: the length filter
        assert len(row["completion"]) in (3, 4) and row["prompt"].endswith("=")
    assert "3d" in round_table(res.path, file=io.StringIO())


def test_reach_counts_solved_lengths_plus_next():
    from evoforge.tasks.weights.reversed_addition import gold, reach

    assert gold("123+45") == "861" and gold("9+1") == "01"
    assert reach({1: 1.0, 2: 0.95, 3: 0.4, 4: 0.0}) == pytest.approx(2.4)
    assert reach({1: 0.5, 2: 0.0}) == pytest.approx(0.5)
    assert reach({1: 1.0, 2: 1.0}) == pytest.approx(2.0)


def test_tiny_model_sizes_and_nope(weights_dir):
    """``tiny:SEED:LxH[:nope]`` builds the requested size; ``nope`` has no positional encoding at all."""
    from evoforge.genomes.weights import models
    from evoforge.genomes.weights.generate import generate
    from evoforge.genomes.weights.train import TrainConfig, sft

    llama = models.resolve("tiny:1:3x32")
    model, _ = models.load(llama)
    assert type(model).__name__ == "LlamaForCausalLM" and model.config.num_hidden_layers == 3
    nope = models.resolve("tiny:1:2x32:nope")
    model, _ = models.load(nope)
    rope = getattr(model.config, "rope_parameters", None) or {}
    assert type(model).__name__ == "GPTNeoXForCausalLM"
    assert rope.get("partial_rotary_factor", getattr(model.config, "rotary_pct", None)) == 0.0
    assert models.fingerprint(nope) != models.fingerprint(llama)
    rows = [{"prompt": f"{a}+1=", "completion": str(a + 1)} for a in range(8)]
    out = sft(nope, rows, weights_dir / "nope-sft", TrainConfig(lora=False, batch_size=4, lr=1e-3))
    assert len(generate(out, ["3+1="], max_new_tokens=3)[0]) == 1
